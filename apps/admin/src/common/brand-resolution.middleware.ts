/**
 * BrandResolutionMiddleware (seed 004 T6-B / T7-B6 / T8-D1): resolves the
 * request brand once, (1) from `X-Brand-Id` (set by the gateway or the
 * operator UI), else (2) from the Redis domain map of the request host
 * (`domain:agent:{host}` / `domain:level:{host}`) when admin is hit directly.
 * Best effort: a miss leaves the brand unset and brand-scoped handlers answer
 * status 54. It skips the probe and docs paths so a liveness schedule cannot
 * turn a Redis brownout into route latency, but not /auth/login; a Redis
 * failure is counted as brand_resolution_failed_total{reason="redis_error"}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import {
  type BrandCarrier,
  BrandContextService,
  BrandEnforcement,
  DomainMapResolver,
  DomainMapUnavailableError,
  extractDomain,
  parseBrandIdHeader,
} from '@app/brand-context';

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

@Injectable()
export class BrandResolutionMiddleware implements NestMiddleware {
  constructor(
    private readonly brands: BrandContextService,
    private readonly domains: DomainMapResolver,
    private readonly enforcement: BrandEnforcement,
  ) {}

  async use(
    req: IncomingMessage & BrandCarrier & { originalUrl?: string },
    _res: ServerResponse,
    next: (err?: unknown) => void,
  ): Promise<void> {
    // Under Fastify the middleware engine rewrites req.url relative to its mount point; originalUrl is the request's.
    if (skipsBrandResolution(req.originalUrl ?? req.url)) return next();
    const headerBrand = parseBrandIdHeader(req.headers['x-brand-id']);
    if (headerBrand !== null) {
      this.brands.set({ brandId: headerBrand, source: 'header', domain: null }, req);
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
    this.brands.set(
      binding
        ? {
            brandId: binding.brandId,
            source: 'domain',
            domain,
            agentId: binding.agentId,
            level: binding.level,
          }
        : { brandId: null, source: 'none', domain },
      req,
    );
    next();
  }
}
