/**
 * Raw SQL with the brand bound by construction (ADR-009, seed 004 T16-A):
 * `scopedSql` always passes the brand id as `$1` (the caller's parameters
 * become `$2`...) and refuses at run time any statement that touches a
 * brand-scoped table without `brand_id = $1` as its first predicate (see
 * sql-guard.ts). `crossBrandSql` is the one explicit way around it, for the
 * few legitimate cross-brand paths (outbox poller claims, domain-map rebuilds,
 * admin catalog rollups): it demands a reason and logs it, never the params.
 */
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { type DataSource, type EntityManager, InstanceChecker, type QueryRunner } from 'typeorm';
import { asBrandId, type BrandId } from './brand-id';
import { CrossBrandReasonRequiredError, UnscopedQueryError } from './errors';
import { findUnscopedReason } from './sql-guard';
import { bindBrand, boundBrand } from './brand-binding';
import { Metrics } from '@app/observability';

/** Anything that can run SQL: a DataSource, an EntityManager (in or out of a transaction) or a QueryRunner. */
export type SqlExecutor = DataSource | EntityManager | QueryRunner;

/** The node-postgres shape: rows, plus the affected row count for writes. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

const logger = new Logger('CrossBrandSql');
/**
 * The audit trail of the opt-in: each (reason, statement) pair is logged at
 * info on first use and then at most once per AUDIT_INTERVAL_MS with the
 * number of uses since the last line (health probes run it every second);
 * other uses go to debug. `db_cross_brand_access_total` counts every use.
 */
export const CROSS_BRAND_AUDIT_INTERVAL_MS = 60_000;
const audited = new Map<string, { at: number; uses: number }>();

function isQueryRunner(executor: EntityManager | QueryRunner): executor is QueryRunner {
  return typeof (executor as QueryRunner).connect === 'function' && 'isReleased' in executor;
}

function resolveRunner(executor: SqlExecutor): { runner: QueryRunner; owned: boolean } {
  if (InstanceChecker.isDataSource(executor)) return { runner: executor.createQueryRunner(), owned: true };
  if (isQueryRunner(executor)) return { runner: executor, owned: false };
  if (executor.queryRunner && !executor.queryRunner.isReleased)
    return { runner: executor.queryRunner, owned: false };
  return { runner: executor.dataSource.createQueryRunner(), owned: true };
}

async function run<R>(runner: QueryRunner, text: string, params: unknown[]): Promise<SqlResult<R>> {
  const result = await runner.query(text, params, true);
  const rows = (result.records ?? []) as R[];
  return { rows, rowCount: result.affected ?? rows.length };
}

/**
 * Runs `fn` on the executor's connection inside a transaction: the caller's
 * when one is open, else a new one committed after `fn` (rolled back when it
 * throws). Row-level security settings are transaction-local, so every
 * statement of the lib runs in a transaction.
 */
async function inTransaction<R>(
  executor: SqlExecutor,
  fn: (runner: QueryRunner, ownTransaction: boolean) => Promise<R>,
): Promise<R> {
  const { runner, owned } = resolveRunner(executor);
  try {
    if (runner.isTransactionActive) return await fn(runner, false);
    await runner.startTransaction();
    try {
      const result = await fn(runner, true);
      await runner.commitTransaction();
      return result;
    } catch (err) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    }
  } finally {
    if (owned) await runner.release();
  }
}

/** Throws UnscopedQueryError unless `text` pins every brand-scoped table to `$1`. */
export function assertBrandScopedSql(text: string): void {
  const reason = findUnscopedReason(text);
  if (reason !== null) throw new UnscopedQueryError(reason, text);
}

/**
 * Runs `text` with `brandId` bound as `$1` and `params` as `$2`... Refuses
 * (UnscopedQueryError, nothing sent to the database) a statement that reads
 * or writes a brand-scoped table without the brand pin.
 */
export async function scopedSql<R = Record<string, unknown>>(
  executor: SqlExecutor,
  brandId: BrandId,
  text: string,
  params: readonly unknown[] = [],
): Promise<SqlResult<R>> {
  const brand = asBrandId(brandId);
  assertBrandScopedSql(text);
  return inTransaction(executor, async (runner) => {
    if (boundBrand(runner) !== brand) await bindBrand(runner, brand);
    return run<R>(runner, text, [brand, ...params]);
  });
}

/**
 * What the cross-brand opt-in allows under row-level security (migration
 * RowLevelSecurity1764000004000): `read` = SELECT on non-money tables;
 * `relay` = that plus UPDATE of the outbox tables (the outbox relay only).
 * Money tables and cross-brand INSERT/DELETE are never allowed.
 */
export type CrossBrandAccess = 'read' | 'relay';

/** The PostgreSQL setting row-level security reads for the cross-brand opt-in. */
export const CROSS_BRAND_SETTING = 'app.cross_brand';
const SET_CROSS_BRAND_SQL = `SELECT set_config('${CROSS_BRAND_SETTING}', $1, true)`;

/**
 * Runs `text` across brands: the one named opt-in past row-level security.
 * `reason` says why this path may see every brand; it is logged with a
 * fingerprint of the statement and counted in `db_cross_brand_access_total`;
 * an empty reason throws. `app.cross_brand` is set for this statement only.
 */
export async function crossBrandSql<R = Record<string, unknown>>(
  executor: SqlExecutor,
  reason: string,
  text: string,
  params: readonly unknown[] = [],
  access: CrossBrandAccess = 'read',
): Promise<SqlResult<R>> {
  if (typeof reason !== 'string' || reason.trim() === '') throw new CrossBrandReasonRequiredError();
  const fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const line = { msg: 'cross-brand sql', reason: reason.trim(), access, statement: fingerprint };
  const key = `${line.reason}\u0000${fingerprint}`;
  const now = Date.now();
  const seen = audited.get(key);
  if (!seen || now - seen.at >= CROSS_BRAND_AUDIT_INTERVAL_MS) {
    logger.log({ ...line, uses: (seen?.uses ?? 0) + 1 });
    audited.set(key, { at: now, uses: 0 });
  } else {
    seen.uses += 1;
    logger.debug(line);
  }
  Metrics.crossBrandAccess().inc({ access });
  return inTransaction(executor, async (runner, own) => {
    await runner.query(SET_CROSS_BRAND_SQL, [access]);
    try {
      return await run<R>(runner, text, [...params]);
    } finally {
      // the caller's transaction goes on without the opt-in (a failed statement aborted it anyway)
      if (!own) await runner.query(SET_CROSS_BRAND_SQL, ['']).catch(() => undefined);
    }
  });
}
