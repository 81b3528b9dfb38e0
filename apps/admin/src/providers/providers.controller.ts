/**
 * Provider routes: the global provider list and each brand's allow list
 * (CONTRACTS §7 `PATCH /api/v1/brands/{brand_id}/providers/{provider_id}`).
 */
import { Body, Controller, Delete, Get, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ok } from '@app/http';
import { asBrandId } from '@app/database';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { ProvidersService } from './providers.service';

class CreateProviderDto {
  @IsString() @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/) code!: string;
  @IsString() @MinLength(1) @MaxLength(128) name!: string;
  @IsOptional() @IsBoolean() is_show?: boolean;
}

class UpdateProviderDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128) name?: string;
  @IsOptional() @IsBoolean() is_show?: boolean;
}

class SetEnabledDto {
  @IsBoolean() enabled!: boolean;
}

@Controller('api/v1')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post('providers')
  async create(@CurrentOperator() operatorId: number, @Body() body: CreateProviderDto) {
    return ok(await this.providers.create(operatorId, body));
  }

  @Get('providers')
  async list() {
    return ok(await this.providers.list());
  }

  @Patch('providers/:provider_id')
  async update(
    @CurrentOperator() operatorId: number,
    @Param('provider_id', ParseIntPipe) id: number,
    @Body() body: UpdateProviderDto,
  ) {
    return ok(await this.providers.update(operatorId, id, body));
  }

  @Get('brands/:brand_id/providers')
  async brandProviders(@Param('brand_id', ParseIntPipe) brandId: number) {
    return ok(await this.providers.brandProviders(asBrandId(brandId)));
  }

  @Patch('brands/:brand_id/providers/:provider_id')
  async setEnabled(
    @CurrentOperator() operatorId: number,
    @Param('brand_id', ParseIntPipe) brandId: number,
    @Param('provider_id', ParseIntPipe) providerId: number,
    @Body() body: SetEnabledDto,
  ) {
    return ok(await this.providers.setEnabled(operatorId, asBrandId(brandId), providerId, body.enabled));
  }

  @Delete('brands/:brand_id/providers')
  async clear(@CurrentOperator() operatorId: number, @Param('brand_id', ParseIntPipe) brandId: number) {
    return ok(await this.providers.clear(operatorId, asBrandId(brandId)));
  }
}
