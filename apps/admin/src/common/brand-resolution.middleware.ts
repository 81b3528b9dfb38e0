/**
 * BrandResolutionMiddleware (seed 004 T6-B / T7-B6 / T8-D1): resolves the
 * request brand once, (1) from `X-Brand-Id` (set by the gateway or the
 * operator UI), else (2) from the Redis domain map of the request host
 * (`domain:agent:{host}` / `domain:level:{host}`) when admin is hit directly.
 * Best effort: a miss leaves the brand unset and brand-scoped handlers answer
 * status 54. It skips the probe and docs paths so a liveness schedule cannot
 * turn a Redis brownout into route latency, but not /auth/login; a Redis
 * failure is counted as brand_resolution_failed_total{reason="redis_error"}.
 * A resolved id that is not in the brand catalog leaves the brand unset and
 * marks the request, so brand-scoped handlers answer status 50 (CONTRACTS §2
 * BRAND_UNRESOLVED) instead of reading an empty brand or failing a write on
 * the brand foreign key; brand-global routes are unaffected. Existing ids are
 * cached briefly (brands are never deleted); an unknown id asks PostgreSQL
 * every time, so a brand is usable as soon as it is created.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import {
  type BrandCarrier,
  type BrandContext,
  BrandContextService,
  BrandEnforcement,
  DomainMapResolver,
  DomainMapUnavailableError,
  extractDomain,
  parseBrandIdHeader,
} from '@app/brand-context';
import { Database } from '@app/database';
import { UNKNOWN_BRAND_CLS_KEY, type UnknownBrand } from './request-context';

export const BRAND_RESOLUTION_SKIP_PATHS: readonly string[] = [
  '/health',
  '/healthz',
  '/docs',
  '/openapi.json',
  '/redoc',
];

export function skipsBrandResolution(url: string | undefined): boolean {
  const path = (url ?? '/').split('?')[0];
  return BRAND_RESOLUTION_SKIP_PATHS.some((skip) => path === skip || path.startsWith(`${skip}/`));
}

const KNOWN_BRAND_TTL_MS = 30_000;
const KNOWN_BRAND_MAX = 10_000;

@Injectable()
export class BrandResolutionMiddleware implements NestMiddleware {
  private readonly logger = new Logger('BrandResolution');
  /** brand id → until when it is trusted to exist. */
  private readonly known = new Map<number, number>();

  constructor(
    private readonly brands: BrandContextService,
    private readonly domains: DomainMapResolver,
    private readonly enforcement: BrandEnforcement,
    private readonly db: Database,
    private readonly cls: ClsService,
  ) {}

  private async exists(brandId: number): Promise<boolean> {
    const now = Date.now();
    if ((this.known.get(brandId) ?? 0) > now) return true;
    let rows: unknown[];
    try {
      rows = await this.db.dataSource.query(`SELECT 1 FROM brand WHERE id = $1`, [brandId]);
    } catch (err) {
      // Best effort like the rest of resolution: the handler meets the same database anyway.
      this.logger.warn({ err: (err as Error).message }, 'brand existence check failed');
      return true;
    }
    if (rows.length === 0) return false;
    if (this.known.size >= KNOWN_BRAND_MAX) this.known.clear();
    this.known.set(brandId, now + KNOWN_BRAND_TTL_MS);
    return true;
  }

  /** Sets the brand, or marks the request when the id names no brand (status 50 on brand-scoped routes). */
  private async setChecked(
    req: BrandCarrier,
    ctx: BrandContext & { brandId: number; source: 'header' | 'domain' },
  ): Promise<void> {
    if (await this.exists(ctx.brandId)) {
      this.brands.set(ctx, req);
      return;
    }
    this.cls.set<UnknownBrand>(UNKNOWN_BRAND_CLS_KEY, { brandId: ctx.brandId, source: ctx.source });
    this.brands.set({ brandId: null, source: ctx.source, domain: ctx.domain }, req);
  }

  async use(
    req: IncomingMessage & BrandCarrier & { originalUrl?: string },
    _res: ServerResponse,
    next: (err?: unknown) => void,
  ): Promise<void> {
    // Under Fastify the middleware engine rewrites req.url relative to its mount point; originalUrl is the request's.
    if (skipsBrandResolution(req.originalUrl ?? req.url)) return next();
    const headerBrand = parseBrandIdHeader(req.headers['x-brand-id']);
    if (headerBrand !== null) {
      await this.setChecked(req, { brandId: headerBrand, source: 'header', domain: null });
      return next();
    }
    const domain = extractDomain(req.headers);
    let binding = null;
    if (domain) {
      try {
        binding = await this.domains.resolve(domain);
      } catch (err) {
        if (!(err instanceof DomainMapUnavailableError)) return next(err);
        this.enforcement.record('redis_error', { domain });
      }
    }
    if (binding) {
      await this.setChecked(req, {
        brandId: binding.brandId,
        source: 'domain',
        domain,
        agentId: binding.agentId,
        level: binding.level,
      });
    } else {
      this.brands.set({ brandId: null, source: 'none', domain }, req);
    }
    next();
  }
}
