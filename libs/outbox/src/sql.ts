/**
 * SQL plumbing of the outbox poller (seeds 000/001 "Background Work"):
 * - TypeORM's query returns `[rows, rowCount]` for UPDATE and bare rows for
 *   SELECT; queryRecords reads the structured result and always gets rows;
 * - withLockTransaction runs `fn` in one transaction on one pooled
 *   connection with transaction-local settings (SET LOCAL) that end with it
 *   (the operator's cursor rewind);
 * - acquireRelayConnection lends the relay loop a pooled node-postgres
 *   connection it drives with simple-protocol scripts, one round trip per
 *   batch (poller.ts). While it is on loan the relay listens for the
 *   connection's 'error' events itself: pg-pool drops its own listener on
 *   checkout, and a session the server ends between two queries (failover,
 *   pg_terminate_backend, the relay's idle-in-transaction lease) would
 *   otherwise be an unhandled 'error' event, which ends the worker process.
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

/** `BEGIN; SET LOCAL name = value; …` as one simple-protocol string (one round trip). */
export function beginTransactionSql(settings: LocalSettings): string {
  const statements = ['BEGIN'];
  for (const [name, value] of Object.entries(settings)) {
    if (!SETTING_NAME.test(name) || !SETTING_VALUE.test(String(value)))
      throw new Error(`invalid transaction setting ${name}`);
    statements.push(`SET LOCAL ${name} = ${value}`);
  }
  return statements.join('; ');
}

/** Runs `fn` in one transaction with `settings` applied: COMMIT on success, ROLLBACK on a throw. */
export async function withLockTransaction<T>(
  dataSource: DataSource,
  settings: LocalSettings,
  fn: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const begin = beginTransactionSql(settings);
  const runner = dataSource.createQueryRunner();
  try {
    let result: T;
    try {
      // No parameters: the simple protocol sends every statement in one round trip.
      await runner.query(begin);
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

/**
 * A pooled node-postgres connection as the outbox relay uses it, without
 * TypeORM's query runner in between: the relay sends one script per batch
 * and every microsecond of Node CPU per batch shows in its throughput
 * (docs/performance.md, bench:outbox).
 */
export interface RelayConnection {
  /** One simple-protocol round trip (several statements, no parameters): the rows of the last statement. */
  script<T>(sql: string): Promise<T[]>;
  /** One statement with parameters: its rows. */
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

interface PgResult {
  rows: unknown[];
}

interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult | PgResult[]>;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  removeListener(event: 'error', listener: (err: unknown) => void): unknown;
}

interface PostgresPool {
  obtainMasterConnection(): Promise<[PgClient, (err?: unknown) => void]>;
}

function lastRows<T>(result: PgResult | PgResult[]): T[] {
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return (last?.rows ?? []) as T[];
}

/** A relay connection on loan from the pool; the relay ends its transactions itself. */
export interface PooledRelayConnection extends RelayConnection {
  /** Rolls back whatever transaction is open; a connection that cannot even do that is dropped on release. */
  rollback(): Promise<void>;
  /** Back to the pool (dropped if the connection failed or a rollback did). */
  release(): void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/** Borrows one connection of the DataSource's pool for the outbox relay. */
export async function acquireRelayConnection(dataSource: DataSource): Promise<PooledRelayConnection> {
  const driver = dataSource.driver as unknown as PostgresPool;
  if (typeof driver.obtainMasterConnection !== 'function')
    throw new Error('the outbox relay needs PostgreSQL');
  const [client, release] = await driver.obtainMasterConnection();
  let broken: unknown = undefined;
  let released = false;
  // The first error is the cause (FATAL 57P01 …); node-postgres reports the socket closing after it too.
  const onError = (err: unknown) => {
    broken ??= err ?? new Error('connection error');
  };
  client.on('error', onError);
  /** A connection the server ended fails its next use with the cause, instead of pg's "not queryable". */
  const usable = () => {
    if (broken !== undefined) throw new Error(`outbox relay connection lost: ${messageOf(broken)}`);
  };
  return {
    script: async <R>(sql: string) => {
      usable();
      return lastRows<R>(await client.query(sql));
    },
    rows: async <R>(sql: string, params: unknown[] = []) => {
      usable();
      return lastRows<R>(await client.query(sql, params));
    },
    rollback: async () => {
      // The server already rolled back a transaction whose session it ended.
      if (broken !== undefined) return;
      await client.query('ROLLBACK').catch((err: unknown) => {
        broken ??= err ?? new Error('rollback failed');
      });
    },
    release: () => {
      if (released) return;
      released = true;
      // pg-pool puts its own idle listener back on release, also on a client it then destroys.
      client.removeListener('error', onError);
      // With an error the pool destroys the client rather than lending it out again.
      release(broken);
    },
  };
}
