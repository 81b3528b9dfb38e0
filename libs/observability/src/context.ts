import { ClsServiceManager } from 'nestjs-cls';

/**
 * Read-only access to the request context for code outside DI (logger mixin,
 * enforcement log lines). The brand context lib writes `BRAND_CLS_KEY`.
 */
export const BRAND_CLS_KEY = 'brand';

export function currentBrandId(): number | null {
  const cls = ClsServiceManager.getClsService();
  if (!cls?.isActive()) return null;
  return cls.get<{ brandId: number | null } | undefined>(BRAND_CLS_KEY)?.brandId ?? null;
}

export function currentRequestId(): string | null {
  const cls = ClsServiceManager.getClsService();
  if (!cls?.isActive()) return null;
  return cls.getId() ?? null;
}
