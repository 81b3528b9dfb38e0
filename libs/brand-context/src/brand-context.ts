import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { BRAND_CLS_KEY } from '@app/observability';
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

/** Raw request objects also carry the brand so hooks outside CLS (metrics) can label it. */
export interface BrandCarrier {
  brandId?: number | null;
}

@Injectable()
export class BrandContextService {
  constructor(private readonly cls: ClsService) {}

  set(ctx: BrandContext, carrier?: BrandCarrier): void {
    this.cls.set(KEY, ctx);
    if (carrier) carrier.brandId = ctx.brandId;
  }

  get(): BrandContext | undefined {
    return this.cls.isActive() ? this.cls.get<BrandContext>(KEY) : undefined;
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
