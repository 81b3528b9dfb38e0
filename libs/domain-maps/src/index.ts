/**
 * The Redis domain maps as projections of PostgreSQL (CONTRACTS §4, ADR-009
 * "Domain-based brand identification"): `domain:agent:{host}` =
 * {"agent_id","brand_id"} from agent_domain and `domain:level:{host}` =
 * {"level","brand_id"} from level_domain. One implementation shared by the
 * admin API (writes), the `rebuild-domain-maps` / `seed-demo` commands and
 * the admin-worker reconciliation job.
 */
import type Redis from 'ioredis';
import { agentDomainKey, levelDomainKey } from '@app/brand-context';
import { crossBrandSql, type SqlExecutor } from '@app/database';

export function agentDomainValue(agentId: number, brandId: number): string {
  return JSON.stringify({ agent_id: agentId, brand_id: brandId });
}

export function levelDomainValue(level: number, brandId: number): string {
  return JSON.stringify({ level, brand_id: brandId });
}

/** Lowercase host without port or trailing dot; null when it is not a plain DNS name. */
export function normalizeDomain(raw: string): string | null {
  const host = raw.trim().toLowerCase().replace(/\.$/, '');
  if (host.length < 1 || host.length > 253) return null;
  const labels = host.split('.');
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  return labels.every((l) => label.test(l)) ? host : null;
}

export async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

export interface ApplyReport {
  written: number;
  removed: number;
}

/**
 * Makes Redis hold exactly `desired` for both maps: drifted or missing keys are
 * written, keys whose domain has no row any more are deleted (so a removed
 * domain stops resolving to its old brand); unchanged keys are left alone.
 */
export async function applyDomainMaps(redis: Redis, desired: Map<string, string>): Promise<ApplyReport> {
  const existing = [...(await scanKeys(redis, agentDomainKey('*'))), ...(await scanKeys(redis, levelDomainKey('*')))];
  const stale = existing.filter((key) => !desired.has(key));
  const keys = [...desired.keys()];
  const current = keys.length > 0 ? await redis.mget(...keys) : [];
  const changed = keys.filter((key, i) => current[i] !== desired.get(key));
  if (changed.length > 0 || stale.length > 0) {
    const tx = redis.multi();
    for (const key of changed) tx.set(key, desired.get(key) as string);
    if (stale.length > 0) tx.del(...stale);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err !== null);
    if (!results || failed) throw failed?.[0] ?? new Error('domain map update was not applied');
  }
  return { written: changed.length, removed: stale.length };
}

export interface RebuildReport {
  agent_domains: number;
  level_domains: number;
  removed_keys: number;
}

/** Rebuilds both maps from PostgreSQL: a deliberate cross-brand, non-money projection. */
export async function rebuildDomainMaps(executor: SqlExecutor, redis: Redis): Promise<RebuildReport> {
  const reason = 'domain map rebuild from PostgreSQL (projection of every brand)';
  const agents = await crossBrandSql<{ domain: string; agent_id: string; brand_id: number }>(
    executor,
    reason,
    `SELECT domain, agent_id, brand_id FROM agent_domain ORDER BY guid`,
  );
  const levels = await crossBrandSql<{ domain: string; level: number; brand_id: number }>(
    executor,
    reason,
    `SELECT domain, level, brand_id FROM level_domain ORDER BY id`,
  );
  const desired = new Map<string, string>();
  for (const row of agents.rows)
    desired.set(agentDomainKey(row.domain), agentDomainValue(Number(row.agent_id), Number(row.brand_id)));
  for (const row of levels.rows)
    desired.set(levelDomainKey(row.domain), levelDomainValue(Number(row.level), Number(row.brand_id)));
  const { removed } = await applyDomainMaps(redis, desired);
  return { agent_domains: agents.rows.length, level_domains: levels.rows.length, removed_keys: removed };
}
