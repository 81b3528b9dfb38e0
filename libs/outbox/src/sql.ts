/**
 * SQL plumbing of the outbox poller (seeds 000/001 "Background Work"):
 * - TypeORM's query returns `[rows, rowCount]` for UPDATE and bare rows for
 *   SELECT; queryRecords reads the structured result and always gets rows;
 * - withLockTransaction runs one claim → publish → mark cycle on one pooled
 *   connection inside a transaction whose row locks are the claim, with
 *   transaction-local settings (SET LOCAL) that end with it.
 */
import type { DataSource, QueryRunner } from 'typeorm';

export type Queryable = DataSource | QueryRunner;

function isDataSource(on: Queryable): on is DataSource {
  return typeof (on as DataSource).createQueryRunner === 'function';
}

export async function queryRecords<T>(on: Queryable, sql: string, params: unknown[]): Promise<T[]> {
  if (!isDataSource(on)) return ((await on.query(sql, params, true)).records ?? []) as T[];
  const runner = on.createQueryRunner();
  try {
    return ((await runner.query(sql, params, true)).records ?? []) as T[];
  } finally {
    await runner.release();
  }
}

/** `SET LOCAL name = value` pairs; both are spliced into SQL, so only plain names and words/numbers pass. */
export type LocalSettings = Record<string, string | number>;

const SETTING_NAME = /^[a-z_]+(\.[a-z_]+)?$/;
const SETTING_VALUE = /^[a-z0-9_]+$/i;

/** Runs `fn` in one transaction with `settings` applied: COMMIT on success, ROLLBACK on a throw. */
export async function withLockTransaction<T>(
  dataSource: DataSource,
  settings: LocalSettings,
  fn: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const statements = ['BEGIN'];
  for (const [name, value] of Object.entries(settings)) {
    if (!SETTING_NAME.test(name) || !SETTING_VALUE.test(String(value)))
      throw new Error(`invalid transaction setting ${name}`);
    statements.push(`SET LOCAL ${name} = ${value}`);
  }
  const runner = dataSource.createQueryRunner();
  try {
    let result: T;
    try {
      // No parameters: the simple protocol sends every statement in one round trip.
      await runner.query(statements.join('; '));
      result = await fn(runner);
    } catch (err) {
      // A dead connection cannot roll back; the server already has, and the pool drops it on release.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    await runner.query('COMMIT');
    return result;
  } finally {
    await runner.release();
  }
}
