/** Player profile routes (seed 000; issue 4 point 3): identity from the gateway headers, rules in ProfileService. */
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { BrandContextService } from '@app/brand-context';
import { ok, type Envelope } from '@app/http';
import { GatewayPlayer } from '../shared/internal-route';
import { CurrentPlayer, type PlayerIdentity, ReqInfo, type RequestInfo } from '../shared/request-info';
import { EditBankDto, EditPasswordDto, EditPhoneDto, PhoneSendSmsDto } from './profile.dto';
import { ProfileService } from './profile.service';

@Controller('internal/players')
@GatewayPlayer()
export class ProfileController {
  constructor(
    private readonly profile: ProfileService,
    private readonly brands: BrandContextService,
  ) {}

  @Get('info')
  async info(@CurrentPlayer() identity: PlayerIdentity): Promise<Envelope> {
    return ok(await this.profile.info(identity, this.brands.requireBrandId()));
  }

  @Post('edit/password')
  @HttpCode(200)
  async editPassword(@CurrentPlayer() identity: PlayerIdentity, @Body() dto: EditPasswordDto): Promise<Envelope> {
    return ok(await this.profile.editPassword(identity, this.brands.requireBrandId(), dto));
  }

  @Post('edit/phone/send-sms')
  @HttpCode(200)
  async phoneCode(@CurrentPlayer() identity: PlayerIdentity, @Body() dto: PhoneSendSmsDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.profile.sendPhoneCode(identity, this.brands.requireBrandId(), dto, info));
  }

  @Post('edit/phone')
  @HttpCode(200)
  async editPhone(@CurrentPlayer() identity: PlayerIdentity, @Body() dto: EditPhoneDto): Promise<Envelope> {
    return ok(await this.profile.editPhone(identity, this.brands.requireBrandId(), dto));
  }

  @Post('edit/bank/send-sms')
  @HttpCode(200)
  async bankCode(@CurrentPlayer() identity: PlayerIdentity, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.profile.sendBankCode(identity, this.brands.requireBrandId(), info));
  }

  @Post('edit/bank')
  @HttpCode(200)
  async editBank(@CurrentPlayer() identity: PlayerIdentity, @Body() dto: EditBankDto): Promise<Envelope> {
    return ok(await this.profile.editBank(identity, this.brands.requireBrandId(), dto));
  }
}
