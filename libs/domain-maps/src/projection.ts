/**
 * What every Redis projection of PostgreSQL here shares (CONTRACTS §4:
 * "Redis holds projections that the project can rebuild from PostgreSQL at
 * any time"): reading the source rows in one transaction, and making a key
 * space hold exactly the desired keys.
 */
import type Redis from 'ioredis';
import { type DataSource, type EntityManager, InstanceChecker } from 'typeorm';

/** A DataSource (a transaction is opened) or a manager, used as is when it is in a transaction. */
export type ProjectionExecutor = DataSource | EntityManager;

/**
 * Runs `fn` in a transaction: the caller's when `executor` is a manager in
 * one (the admin worker's, with its timeouts), else a new one. The locks a
 * rebuild takes are transaction-scoped, so they are held until the Redis
 * update inside `fn` is done.
 */
export function inProjectionTransaction<R>(
  executor: ProjectionExecutor,
  fn: (manager: EntityManager) => Promise<R>,
): Promise<R> {
  if (!InstanceChecker.isDataSource(executor) && executor.queryRunner?.isTransactionActive)
    return fn(executor);
  return executor.transaction(fn);
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
 * Makes the keys matching `patterns` hold exactly `desired`: drifted or
 * missing keys are written, keys with no desired value are deleted,
 * unchanged keys are left alone; all changes go in one MULTI.
 */
export async function applyProjection(
  redis: Redis,
  patterns: readonly string[],
  desired: ReadonlyMap<string, string>,
): Promise<ApplyReport> {
  const existing: string[] = [];
  for (const pattern of patterns) existing.push(...(await scanKeys(redis, pattern)));
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
    if (!results || failed) throw failed?.[0] ?? new Error('projection update was not applied');
  }
  return { written: changed.length, removed: stale.length };
}
