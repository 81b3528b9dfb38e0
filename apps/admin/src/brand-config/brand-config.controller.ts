/** brand_config routes (CONTRACTS §7, seed 004): schema registry, per-key read/write, import with dry run. */
import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put, Query } from '@nestjs/common';
import { InvalidInputError, ok } from '@app/http';
import { asBrandId } from '@app/database';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { BrandConfigService } from './brand-config.service';
import { schemaDocument } from './config-schema';

function parseDryRun(raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new InvalidInputError('invalid input', { dry_run: ['isBoolean'] });
}

@Controller('api/v1/brands')
export class BrandConfigController {
  constructor(private readonly config: BrandConfigService) {}

  @Get('config/schema')
  schema() {
    return ok(schemaDocument());
  }

  @Get(':brand_id/config')
  async list(@Param('brand_id', ParseIntPipe) brandId: number) {
    return ok(await this.config.list(asBrandId(brandId)));
  }

  @Get(':brand_id/config/:key')
  async get(@Param('brand_id', ParseIntPipe) brandId: number, @Param('key') key: string) {
    return ok(await this.config.get(asBrandId(brandId), key));
  }

  @Get(':brand_id/config/:key/audit')
  async history(@Param('brand_id', ParseIntPipe) brandId: number, @Param('key') key: string) {
    return ok(await this.config.history(asBrandId(brandId), key));
  }

  @Put(':brand_id/config/:key')
  async put(
    @CurrentOperator() operatorId: number,
    @Param('brand_id', ParseIntPipe) brandId: number,
    @Param('key') key: string,
    @Body() body: Record<string, unknown>,
  ) {
    if (typeof body !== 'object' || body === null || !('value' in body)) {
      throw new InvalidInputError('invalid input', { value: ['isDefined'] });
    }
    return ok(await this.config.put(operatorId, asBrandId(brandId), key, body.value));
  }

  @Post(':brand_id/config/import')
  @HttpCode(200)
  async import(
    @CurrentOperator() operatorId: number,
    @Param('brand_id', ParseIntPipe) brandId: number,
    @Query('dry_run') dryRun: string | undefined,
    @Body() body: Record<string, unknown>,
  ) {
    return ok(await this.config.import(operatorId, asBrandId(brandId), body, parseDryRun(dryRun)));
  }
}
