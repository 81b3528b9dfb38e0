/**
 * The Redis projections of PostgreSQL (CONTRACTS §4: rebuildable "by an
 * operator command and the admin worker"). The domain maps (ADR-009
 * "Domain-based brand identification"): `domain:agent:{host}` =
 * {"agent_id","brand_id"} from agent_domain and `domain:level:{host}` =
 * {"level","brand_id"} from level_domain; and the provider allow-list
 * snapshots (provider-allowlist.ts). One implementation shared by the admin
 * API (writes), the `rebuild-domain-maps` / `seed-demo` commands and the
 * admin-worker projection job. The lib keeps its first name: the allow list
 * is the same kind of projection, and a second lib would only split it.
 */
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { agentDomainKey, levelDomainKey } from '@app/brand-context';
import { crossBrandSql } from '@app/database';
import {
  type ApplyReport,
  applyProjection,
  inProjectionTransaction,
  type ProjectionExecutor,
} from './projection';

export { type ApplyReport, applyProjection, type ProjectionExecutor, scanKeys } from './projection';
export * from './provider-allowlist';

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

/** Makes Redis hold exactly `desired` for both domain maps (a removed domain stops resolving to its old brand). */
export function applyDomainMaps(redis: Redis, desired: ReadonlyMap<string, string>): Promise<ApplyReport> {
  return applyProjection(redis, [agentDomainKey('*'), levelDomainKey('*')], desired);
}

/**
 * The advisory lock every domain writer holds for its transaction (admin
 * domain writes, the rebuilds): a rebuild reads the rows and updates Redis
 * while no write can commit, so a write's own Redis update can neither be
 * overtaken by an older snapshot nor land between the read and the update.
 */
export const DOMAIN_MAP_LOCK = 'admin:domains';

export async function lockDomainMaps(manager: EntityManager): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [DOMAIN_MAP_LOCK]);
}

interface DomainRow {
  kind: 'agent' | 'level';
  domain: string;
  /** agent_id of an agent domain, level of a level domain */
  target: string;
  brand_id: number;
}

export interface RebuildReport {
  agent_domains: number;
  level_domains: number;
  written_keys: number;
  removed_keys: number;
}

/**
 * Rebuilds both maps from PostgreSQL: a deliberate cross-brand, non-money
 * projection. Under DOMAIN_MAP_LOCK it reads every brand's agent and level
 * domains in one statement (one snapshot) and updates Redis before the lock
 * is released.
 */
export async function rebuildDomainMaps(executor: ProjectionExecutor, redis: Redis): Promise<RebuildReport> {
  return inProjectionTransaction(executor, async (manager) => {
    await lockDomainMaps(manager);
    const { rows } = await crossBrandSql<DomainRow>(
      manager,
      'domain map rebuild from PostgreSQL (projection of every brand)',
      `SELECT 'agent' AS kind, domain, agent_id AS target, brand_id FROM agent_domain
       UNION ALL
       SELECT 'level' AS kind, domain, level AS target, brand_id FROM level_domain`,
    );
    const desired = new Map<string, string>();
    for (const row of rows) {
      const [target, brandId] = [Number(row.target), Number(row.brand_id)];
      if (row.kind === 'agent') desired.set(agentDomainKey(row.domain), agentDomainValue(target, brandId));
      else desired.set(levelDomainKey(row.domain), levelDomainValue(target, brandId));
    }
    const { written, removed } = await applyDomainMaps(redis, desired);
    const agents = rows.filter((r) => r.kind === 'agent').length;
    return {
      agent_domains: agents,
      level_domains: rows.length - agents,
      written_keys: written,
      removed_keys: removed,
    };
  });
}
