/**
 * Per-brand job settings from brand_config (ADR-009 "Configuration is
 * per-brand: per-brand brand_config value, then a documented global
 * default"). A missing or malformed value falls back to the default with a
 * warning, so one bad config row cannot stop a job for every brand.
 */
import { Logger } from '@nestjs/common';
import type { BrandTx } from '@app/database';

const logger = new Logger('BrandSettings');

export async function brandSetting<T>(
  tx: BrandTx,
  key: string,
  parse: (value: unknown) => T | null,
  fallback: T,
): Promise<T> {
  const { rows } = await tx.sql<{ value: unknown }>(
    `SELECT value FROM brand_config WHERE brand_id = $1 AND key = $2`,
    [key],
  );
  if (rows.length === 0) return fallback;
  const parsed = parse(rows[0].value);
  if (parsed === null) {
    logger.warn({ brand_id: tx.brandId, key }, 'brand_config value is malformed; using the default');
    return fallback;
  }
  return parsed;
}

export const positiveInt =
  (max: number) =>
  (value: unknown): number | null =>
    typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max ? value : null;
