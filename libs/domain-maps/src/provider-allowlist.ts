/**
 * The provider allow-list snapshot (CONTRACTS §4; seed 004: after every
 * brand_provider_config write admin "refreshes the Redis
 * brand:provider_allowlist:{brand_id} cache used by gateway prechecks").
 * `brand:provider_allowlist:{brand_id}` holds the brand's CONFIGURED enabled
 * provider ids, a JSON array in provider_id order; a brand with no rows
 * inherits every visible provider and has no key (the gateway then skips its
 * precheck). The admin writes and the rebuild below share `allowlistSnapshot`,
 * so both produce the same value from the same rows.
 */
import type Redis from 'ioredis';
import { crossBrandSql } from '@app/database';
import { applyProjection, inProjectionTransaction, type ProjectionExecutor } from './projection';

const KEY_PREFIX = 'brand:provider_allowlist:';

export function providerAllowlistKey(brandId: number): string {
  return `${KEY_PREFIX}${brandId}`;
}

export interface ConfiguredProvider {
  provider_id: number;
  enabled: boolean;
}

/** The snapshot of one brand's rows: its enabled ids in provider_id order, or null (no rows: no key). */
export function allowlistSnapshot(configured: readonly ConfiguredProvider[]): number[] | null {
  if (configured.length === 0) return null;
  return configured
    .filter((r) => r.enabled)
    .map((r) => r.provider_id)
    .sort((a, b) => a - b);
}

/** Writes (or, for null, deletes) one brand's snapshot. */
export async function writeAllowlistSnapshot(
  redis: Redis,
  brandId: number,
  snapshot: number[] | null,
): Promise<void> {
  if (snapshot === null) await redis.del(providerAllowlistKey(brandId));
  else await redis.set(providerAllowlistKey(brandId), JSON.stringify(snapshot));
}

export interface AllowlistRebuildReport {
  brands: number;
  snapshots: number;
  written_keys: number;
  removed_keys: number;
}

/**
 * Rebuilds every brand's snapshot from brand_provider_config and deletes
 * the snapshots no brand should have (brands without rows, brands that no
 * longer exist). Admin allow-list writes hold their brand row FOR UPDATE
 * while they write Redis and commit; the rebuild takes FOR KEY SHARE on
 * every brand row first, so it reads after any such write has committed
 * and no new one commits before Redis is updated. FOR KEY SHARE is the
 * weakest row lock: brand status and name updates do not wait for it.
 */
export async function rebuildProviderAllowlists(
  executor: ProjectionExecutor,
  redis: Redis,
): Promise<AllowlistRebuildReport> {
  return inProjectionTransaction(executor, async (manager) => {
    const brands: Array<{ id: number }> = await manager.query(
      `SELECT id FROM brand ORDER BY id FOR KEY SHARE`,
    );
    const { rows } = await crossBrandSql<{ brand_id: number; provider_id: number; enabled: boolean }>(
      manager,
      'provider allow-list snapshot rebuild from PostgreSQL (projection of every brand)',
      `SELECT brand_id, provider_id, enabled FROM brand_provider_config ORDER BY brand_id, provider_id`,
    );
    const byBrand = new Map<number, ConfiguredProvider[]>(brands.map((b) => [Number(b.id), []]));
    for (const row of rows)
      byBrand.get(Number(row.brand_id))?.push({ provider_id: Number(row.provider_id), enabled: row.enabled });
    const desired = new Map<string, string>();
    for (const [brandId, configured] of byBrand) {
      const snapshot = allowlistSnapshot(configured);
      if (snapshot !== null) desired.set(providerAllowlistKey(brandId), JSON.stringify(snapshot));
    }
    const { written, removed } = await applyProjection(redis, [`${KEY_PREFIX}*`], desired);
    return { brands: brands.length, snapshots: desired.size, written_keys: written, removed_keys: removed };
  });
}
