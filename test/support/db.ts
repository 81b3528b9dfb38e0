/**
 * Per-suite PostgreSQL databases (STYLE.md, Immich): jest's global setup
 * migrates one template database per run; every suite clones it with
 * `CREATE DATABASE ... TEMPLATE`, so suites run in parallel on a real
 * PostgreSQL without sharing rows. This file imports no @app/* alias because
 * the global setup (plain Node, no jest module mapper) uses it too.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEMPLATE_DATABASE = 'servers_v2_test_tmpl';
export const SUITE_DATABASE_PREFIX = 'servers_v2_test_';
/** Taken exclusively while the template is rebuilt, shared while it is cloned. */
export const TEMPLATE_LOCK_KEY = 7_364_021_010;

/** The server's maintenance database URL (TEST_DATABASE_URL or the local default). */
export function baseDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function databaseUrl(name: string): string {
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The two roles of issue #8 for tests (cluster-wide, made by the global
 * setup): the owner owns every table and runs migrations (BYPASSRLS); the
 * apps connect as the app role, so row-level security applies to them
 * exactly as in production (the apps refuse to boot as anything else).
 */
export const TEST_OWNER_ROLE = 'servers_v2_test_owner';
export const TEST_APP_ROLE = 'servers_v2_test_app';

export function roleUrl(name: string, role: string): string {
  const url = new URL(databaseUrl(name));
  url.username = role;
  url.password = '';
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function withMaintenanceClient<R>(fn: (client: Client) => Promise<R>): Promise<R> {
  const client = new Client({ connectionString: baseDatabaseUrl(), application_name: 'servers-v2-test' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Identifies this jest run, so teardown drops only its own suite databases. */
export function testRunId(): string {
  const id = process.env.SERVERS_V2_TEST_RUN_ID;
  if (id && /^[a-z0-9]{1,12}$/.test(id)) return id;
  return 'adhoc';
}

export interface SuiteDatabase {
  /** Superuser: fixtures and assertions that must see every brand. */
  url: string;
  /** The app role (DATABASE_URL of every app under test): row-level security applies. */
  appUrl: string;
  /** The table owner (MIGRATION_DATABASE_URL): migrations and operator data fixes. */
  ownerUrl: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Drops a suite database. node-postgres' `Pool.end()` resolves before its
 * sockets have closed, so a forced drop right after it can kill a backend
 * the pool is still ending, and the pool then throws an unhandled 'error'.
 * A plain DROP is retried while sessions finish (55006, "being accessed by
 * other users"); only sessions still open after ~3 s are forced out.
 */
export async function dropDatabase(name: string): Promise<void> {
  await withMaintenanceClient(async (client) => {
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006') throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}

/**
 * A fresh, fully migrated database cloned from the template. `label` only
 * makes the name readable in pg_stat_activity; every call gets a new name.
 */
export async function createSuiteDatabase(label = 'suite'): Promise<SuiteDatabase> {
  const slug =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 20) || 'suite';
  const name = `${SUITE_DATABASE_PREFIX}${testRunId()}_${slug}_${randomBytes(4).toString('hex')}`;
  await withMaintenanceClient(async (client) => {
    await client.query('SELECT pg_advisory_lock_shared($1)', [TEMPLATE_LOCK_KEY]);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await client.query(
            `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(TEMPLATE_DATABASE)} OWNER ${quoteIdent(TEST_OWNER_ROLE)}`,
          );
          break;
        } catch (err) {
          // 55006: the template is briefly in use by another clone; retry a few times.
          if ((err as { code?: string }).code !== '55006' || attempt >= 20) throw err;
          await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50));
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock_shared($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  let dropped = false;
  return {
    name,
    url: databaseUrl(name),
    appUrl: roleUrl(name, TEST_APP_ROLE),
    ownerUrl: roleUrl(name, TEST_OWNER_ROLE),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await dropDatabase(name);
    },
  };
}

/** An empty (unmigrated) database, for migration tests. */
export async function createEmptyDatabase(label = 'empty'): Promise<SuiteDatabase> {
  const slug =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .slice(0, 20) || 'empty';
  const name = `${SUITE_DATABASE_PREFIX}${testRunId()}_${slug}_${randomBytes(4).toString('hex')}`;
  await withMaintenanceClient((client) =>
    client.query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(TEST_OWNER_ROLE)}`),
  );
  return {
    name,
    url: databaseUrl(name),
    appUrl: roleUrl(name, TEST_APP_ROLE),
    ownerUrl: roleUrl(name, TEST_OWNER_ROLE),
    drop: () => dropDatabase(name),
  };
}
