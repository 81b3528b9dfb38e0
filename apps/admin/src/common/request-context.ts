/**
 * Request-scoped values read outside DI: the resolved brand of a brand-scoped
 * route (status 54 when missing, seed 004 "brand_required_envelope"; status 50
 * when the request names a brand that is not in the catalog) and the request
 * id that audit rows and downstream calls carry.
 */
import { randomUUID } from 'node:crypto';
import { createParamDecorator } from '@nestjs/common';
import { ClsServiceManager } from 'nestjs-cls';
import { asBrandId, type BrandId } from '@app/database';
import { BrandUnresolvedError } from '@app/http';
import { currentBrandId, currentRequestId } from '@app/observability';

/** CLS key set by BrandResolutionMiddleware when X-Brand-Id (or the domain map) names no brand. */
export const UNKNOWN_BRAND_CLS_KEY = 'admin.unknown_brand';

export interface UnknownBrand {
  brandId: number;
  source: 'header' | 'domain';
}

/**
 * The operating brand of a brand-scoped route; throws BrandContextRequiredError (54)
 * when unresolved and BrandUnresolvedError (50) when the named brand does not exist.
 */
export function requireRequestBrand(): BrandId {
  const cls = ClsServiceManager.getClsService();
  const unknown = cls?.isActive() ? cls.get<UnknownBrand | undefined>(UNKNOWN_BRAND_CLS_KEY) : undefined;
  if (unknown) {
    throw new BrandUnresolvedError(
      unknown.source === 'header' ? 'X-Brand-Id names no brand' : 'the request domain maps to no brand',
    );
  }
  return asBrandId(currentBrandId());
}

/** Handler parameter: the operating brand, or status 54 / 50. */
export const RequestBrand = createParamDecorator((): BrandId => requireRequestBrand());

export function requestId(): string {
  return currentRequestId() ?? randomUUID();
}
