/**
 * `/internal/meta/*`: the internal websocket sync hooks of seed 004 ("used to
 * refresh top-info after meaningful state changes"). Only services that
 * change the state top-info counts may call them, each with its own
 * per-caller token (ADR-009 "Internal service tokens"; CONTRACTS §3).
 * The brand to refresh comes from the body's `brand_id`, else the
 * propagated `X-Brand-Id`, else every brand; a body brand that disagrees
 * with the header is refused (status 51).
 */
import { Body, Controller, Get, Headers, HttpCode, Logger, Post, UseGuards } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CurrentCaller, InternalCallers, InternalTokenGuard } from '@app/auth';
import { parseBrandIdHeader } from '@app/brand-context';
import type { CallerService } from '@app/config';
import { BrandMismatchError, type Envelope, ok } from '@app/http';
import { TopInfoService, type TopInfoSnapshot } from '../ws/top-info.service';

/** The callers whose writes move the top-info counts. */
export const META_HOOK_CALLERS: CallerService[] = [
  'agent',
  'game',
  'promotion',
  'recon',
  'rolling',
  'gateway',
];

export class RefreshTopInfoDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  brand_id?: number;
}

@Controller('internal/meta')
@UseGuards(InternalTokenGuard)
@InternalCallers(...META_HOOK_CALLERS)
export class MetaController {
  private readonly logger = new Logger('AdminMetaHooks');

  constructor(private readonly topInfo: TopInfoService) {}

  /** Recomputes top-info (one brand or all) and pushes it to every connected operator. */
  @Post('top-info/refresh')
  @HttpCode(200)
  async refresh(
    @Body() body: RefreshTopInfoDto,
    @Headers('x-brand-id') brandHeader: string | undefined,
    @CurrentCaller() caller: CallerService | undefined,
  ): Promise<Envelope<TopInfoSnapshot & { pushed: number }>> {
    const headerBrand = parseBrandIdHeader(brandHeader);
    if (body.brand_id !== undefined && headerBrand !== null && body.brand_id !== headerBrand) {
      throw new BrandMismatchError();
    }
    const brandId = body.brand_id ?? headerBrand ?? undefined;
    const { snapshot, pushed } = await this.topInfo.refreshAndPublish(brandId);
    this.logger.log({ caller, brand_id: brandId ?? null, pushed }, 'top-info refreshed by hook');
    return ok({ ...snapshot, pushed });
  }

  /** The current counts, without pushing (for callers that aggregate top-info themselves). */
  @Get('top-info')
  async read(): Promise<Envelope<TopInfoSnapshot>> {
    return ok(await this.topInfo.compute());
  }
}
