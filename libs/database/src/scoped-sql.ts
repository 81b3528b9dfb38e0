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

/** Anything that can run SQL: a DataSource, an EntityManager (in or out of a transaction) or a QueryRunner. */
export type SqlExecutor = DataSource | EntityManager | QueryRunner;

/** The node-postgres shape: rows, plus the affected row count for writes. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

const logger = new Logger('CrossBrandSql');
/** Each (reason, statement) pair is logged at info once per process, then at debug (pollers run it often). */
const announced = new Set<string>();

function isQueryRunner(executor: EntityManager | QueryRunner): executor is QueryRunner {
  return typeof (executor as QueryRunner).connect === 'function' && 'isReleased' in executor;
}

async function execute<R>(executor: SqlExecutor, text: string, params: unknown[]): Promise<SqlResult<R>> {
  let runner: QueryRunner;
  let owned = false;
  if (InstanceChecker.isDataSource(executor)) {
    runner = executor.createQueryRunner();
    owned = true;
  } else if (isQueryRunner(executor)) {
    runner = executor;
  } else if (executor.queryRunner && !executor.queryRunner.isReleased) {
    runner = executor.queryRunner;
  } else {
    runner = executor.dataSource.createQueryRunner();
    owned = true;
  }
  try {
    const result = await runner.query(text, params, true);
    const rows = (result.records ?? []) as R[];
    return { rows, rowCount: result.affected ?? rows.length };
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
  return execute<R>(executor, text, [brand, ...params]);
}

/**
 * Runs `text` across brands. `reason` says why this path may see every brand
 * (it is logged with a fingerprint of the statement); an empty reason throws.
 */
export async function crossBrandSql<R = Record<string, unknown>>(
  executor: SqlExecutor,
  reason: string,
  text: string,
  params: readonly unknown[] = [],
): Promise<SqlResult<R>> {
  if (typeof reason !== 'string' || reason.trim() === '') throw new CrossBrandReasonRequiredError();
  const fingerprint = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const line = { msg: 'cross-brand sql', reason: reason.trim(), statement: fingerprint };
  const key = `${line.reason}\u0000${fingerprint}`;
  if (announced.has(key)) {
    logger.debug(line);
  } else {
    announced.add(key);
    logger.log(line);
  }
  return execute<R>(executor, text, [...params]);
}
