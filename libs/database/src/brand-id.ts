/**
 * ADR-009: every brand-scoped query carries a brand id. `BrandId` is a
 * branded number, so the only way to get one is `asBrandId` (or a value that
 * already is one); a plain `1` or a header string does not type-check where a
 * brand is required. X-Brand-Id values <= 0 count as missing (seed 003 T6-E1),
 * hence BrandContextRequiredError (status 54) for anything but a positive int.
 */
import { BrandContextRequiredError } from '@app/http';

export type BrandId = number & { readonly __brand: 'BrandId' };

export function asBrandId(value: unknown): BrandId {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new BrandContextRequiredError();
  }
  return n as BrandId;
}

export function isBrandId(value: unknown): value is BrandId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
