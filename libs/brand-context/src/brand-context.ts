import { Inject, Injectable } from '@nestjs/common';
import { BRAND_CLS_KEY, REQUEST_CONTEXT, type RequestContextStore } from '@app/observability';
import { BrandContextRequiredError } from '@app/http';

/**
 * The request's brand, set once by the resolver (domain, trusted header or
 * token) and read through an accessor that throws when a brand-scoped path
 * runs without it (STYLE.md; ADR-009 "request.state.brand_id").
 */
export interface BrandContext {
  brandId: number | null;
  source: 'domain' | 'header' | 'jwt' | 'token' | 'none';
  domain: string | null;
  agentId?: number | null;
  level?: number | null;
}

const KEY = BRAND_CLS_KEY;

/**
 * Raw request objects also carry the brand, so hooks outside the request context (metrics) and apps
 * without one (the gateway) can read it.
 */
export interface BrandCarrier {
  brandId?: number | null;
}

@Injectable()
export class BrandContextService {
  constructor(@Inject(REQUEST_CONTEXT) private readonly context: RequestContextStore) {}

  /** Records the brand in the request context (when the app has one) and on `carrier`. */
  set(ctx: BrandContext, carrier?: BrandCarrier): void {
    this.context.set(KEY, ctx);
    if (carrier) carrier.brandId = ctx.brandId;
  }

  get(): BrandContext | undefined {
    return this.context.isActive() ? this.context.get<BrandContext>(KEY) : undefined;
  }

  brandId(): number | null {
    return this.get()?.brandId ?? null;
  }

  /** The brand of a brand-scoped path; throws status 54 when absent. */
  requireBrandId(): number {
    const id = this.brandId();
    if (id === null || id <= 0) throw new BrandContextRequiredError();
    return id;
  }
}

export { currentBrandId, currentRequestId } from '@app/observability';
