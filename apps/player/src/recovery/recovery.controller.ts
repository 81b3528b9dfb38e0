/**
 * `/internal/players/recovery/request|verify|reset` (seed 000 recovery;
 * CONTRACTS §7 shapes). The brand is X-Brand-Id (the gateway's domain
 * brand); for reset the token's own brand_id wins inside RecoveryService.
 * A brand whose feature_policy turns recovery off answers status 1.
 */
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { IsString, Length, MaxLength } from 'class-validator';
import { BrandContextService } from '@app/brand-context';
import type { BrandTx } from '@app/database';
import { BusinessRuleError, ok, type Envelope } from '@app/http';
import { RecoveryService } from '@app/recovery';
import { BrandPolicyService } from '../shared/brand-policy.service';
import { GatewayOnly } from '../shared/internal-route';
import { PLAYER_RECOVERY } from './player-recovery.ports';
import { ReqInfo, type RequestInfo } from '../shared/request-info';

export class RecoveryRequestDto {
  @IsString()
  @MaxLength(320)
  contact!: string;
}

export class RecoveryVerifyDto {
  @IsString()
  @MaxLength(320)
  contact!: string;

  @IsString()
  @MaxLength(16)
  code!: string;
}

export class RecoveryResetDto {
  @IsString()
  @MaxLength(8192)
  reset_token!: string;

  @IsString()
  @Length(6, 64)
  new_password!: string;
}

@Controller('internal/players/recovery')
@GatewayOnly()
export class RecoveryController {
  constructor(
    @Inject(PLAYER_RECOVERY) private readonly recovery: RecoveryService<BrandTx>,
    private readonly brands: BrandContextService,
    private readonly policies: BrandPolicyService,
  ) {}

  @Post('request')
  @HttpCode(200)
  async request(@Body() dto: RecoveryRequestDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.recovery.request(await this.context(info), dto.contact));
  }

  @Post('verify')
  @HttpCode(200)
  async verify(@Body() dto: RecoveryVerifyDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.recovery.verify(await this.context(info), dto.contact, dto.code));
  }

  @Post('reset')
  @HttpCode(200)
  async reset(@Body() dto: RecoveryResetDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.recovery.reset(await this.context(info), dto.reset_token, dto.new_password));
  }

  private async context(info: RequestInfo) {
    const brandId = this.brands.requireBrandId();
    const { feature } = await this.policies.policies(brandId);
    if (!feature.recovery) throw new BusinessRuleError('recovery is disabled');
    return { brandId, ip: info.ip, requestId: info.requestId };
  }
}
