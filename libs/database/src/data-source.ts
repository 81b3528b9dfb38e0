/**
 * DataSource construction and the migration entry points (CONTRACTS §10:
 * `npm run migrate` applies every migration and is idempotent; STYLE.md:
 * migrations, never synchronize). The migration list is passed as classes
 * because the apps and the CLI are bundled and cannot glob a folder.
 */
import { Client } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations';
import { ALL_ENTITIES } from './entities';

export type MigrationClass = new () => MigrationInterface;

export interface DataSourceSettings {
  url: string;
  poolSize: number;
  /** Defaults to every migration of the project. */
  migrations?: MigrationClass[];
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

export const MIGRATIONS_TABLE = 'migrations';

/** One advisory-lock key for every process that migrates, so concurrent runs queue instead of racing. */
const MIGRATION_LOCK_KEY = 7_364_021_009;

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    poolSize: settings.poolSize,
    applicationName: settings.applicationName ?? 'servers-v2',
    synchronize: false,
    migrationsRun: false,
    entities: ALL_ENTITIES,
    migrations: settings.migrations ?? ALL_MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    // every andWhere/orWhere condition is parenthesised, so a raw `a OR b` cannot escape an AND
    isolateWhereStatements: true,
    logging: false,
  });
}

async function withMigrationLock<R>(
  url: string,
  migrations: MigrationClass[],
  fn: (ds: DataSource) => Promise<R>,
): Promise<R> {
  const ds = createDataSource({ url, poolSize: 2, migrations, applicationName: 'servers-v2-migrate' });
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await fn(ds);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await ds.destroy();
  }
}

/** Applies every pending migration in one transaction; returns the names applied (empty when up to date). */
export async function runMigrations(
  url: string,
  migrations: MigrationClass[] = ALL_MIGRATIONS,
): Promise<string[]> {
  return withMigrationLock(url, migrations, async (ds) => {
    const applied = await ds.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  });
}

/** Reverts the most recent migration; returns its name, or null when none is applied. */
export async function revertLastMigration(
  url: string,
  migrations: MigrationClass[] = ALL_MIGRATIONS,
): Promise<string | null> {
  return withMigrationLock(url, migrations, async (ds) => {
    const [table] = (await ds.query(`SELECT to_regclass($1) AS t`, [`public.${MIGRATIONS_TABLE}`])) as {
      t: string | null;
    }[];
    if (!table?.t) return null;
    const [last] = (await ds.query(
      `SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY timestamp DESC, id DESC LIMIT 1`,
    )) as { name: string }[];
    if (!last) return null;
    await ds.undoLastMigration({ transaction: 'all' });
    return last.name;
  });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The database named in `url`, and a URL for the `postgres` maintenance database on the same server. */
export function splitDatabaseUrl(url: string): { database: string; maintenanceUrl: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  parsed.pathname = '/postgres';
  return { database, maintenanceUrl: parsed.toString() };
}

/** Creates the database named in `url` when it does not exist; returns true when it created it. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { database, maintenanceUrl } = splitDatabaseUrl(url);
  const client = new Client({ connectionString: maintenanceUrl, application_name: 'servers-v2-migrate' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
      return true;
    } catch (err) {
      // another process created it between the check and the CREATE
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
  } finally {
    await client.end();
  }
}
