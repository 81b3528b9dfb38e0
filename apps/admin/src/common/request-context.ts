/**
 * Request-scoped values read outside DI: the resolved brand of a brand-scoped
 * route (status 54 when missing, seed 004 "brand_required_envelope") and the
 * request id that audit rows and downstream calls carry.
 */
import { randomUUID } from 'node:crypto';
import { createParamDecorator } from '@nestjs/common';
import { asBrandId, type BrandId } from '@app/database';
import { currentBrandId, currentRequestId } from '@app/observability';

/** The operating brand of a brand-scoped route; throws BrandContextRequiredError (54) when unresolved. */
export function requireRequestBrand(): BrandId {
  return asBrandId(currentBrandId());
}

/** Handler parameter: the operating brand, or status 54. */
export const RequestBrand = createParamDecorator((): BrandId => requireRequestBrand());

export function requestId(): string {
  return currentRequestId() ?? randomUUID();
}
