/**
 * The two database roles of issue #8, both named by config:
 *   - the owner (MIGRATION_DATABASE_URL) owns every table and runs
 *     migrations and operator data fixes; it has BYPASSRLS and never serves
 *     requests;
 *   - the app role (DATABASE_URL) owns nothing and has neither SUPERUSER nor
 *     BYPASSRLS, so FORCE ROW LEVEL SECURITY applies to every query the apps
 *     run. The apps refuse to boot as anything else (`assertAppRole`,
 * (role-guard.ts). `setupRoles` creates both (it needs a superuser, once per cluster); the
 * migrate command calls `grantAppRole` after every run so new tables are
 * covered. Passwords are taken from the URLs when they carry one and are
 * never printed. No @app/* import here: jest's global setup (plain Node) uses
 * this file.
 */
import { Client } from 'pg';
import { quoteIdent, splitDatabaseUrl } from './data-source';

export interface RoleUrls {
  /** A superuser connection (any database) used only to create roles and the database. */
  superuserUrl: string;
  /** MIGRATION_DATABASE_URL. */
  ownerUrl: string;
  /** DATABASE_URL. */
  appUrl: string;
}

/** The role name (URL user) of a PostgreSQL URL. */
export function roleOf(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (!user) throw new Error('the database URL names no user (role)');
  return user;
}

function passwordOf(url: string): string | null {
  const password = decodeURIComponent(new URL(url).password);
  return password === '' ? null : password;
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Tables in the apps' databases are created only by the owner; nobody else may add objects to `public`. */
const APPEND_ONLY_TABLES = ['recovery_audit', 'admin_audit', 'brand_config_audit'];

/** How long an app-role session may sit idle inside a transaction (see setupRoles). */
export const APP_IDLE_IN_TRANSACTION_TIMEOUT = '60s';

/** One row per outbox table, made by its migration: the relay reads and moves it, never adds or removes one. */
const RELAY_CURSOR_TABLE = 'outbox_relay_cursor';

async function ensureRole(
  client: Client,
  name: string,
  attributes: string,
  password: string | null,
): Promise<boolean> {
  const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  let created = false;
  if (!found.rowCount) {
    try {
      await client.query(`CREATE ROLE ${quoteIdent(name)} LOGIN ${attributes}`);
      created = true;
    } catch (err) {
      // 42710: created concurrently by another process
      if ((err as { code?: string }).code !== '42710') throw err;
    }
  }
  // Re-assert the attributes on every run: a role found with BYPASSRLS is corrected, not trusted.
  await client.query(`ALTER ROLE ${quoteIdent(name)} LOGIN ${attributes}`);
  if (password !== null)
    await client.query(`ALTER ROLE ${quoteIdent(name)} PASSWORD ${quoteLiteral(password)}`);
  return created;
}

export interface SetupReport {
  ownerRole: string;
  appRole: string;
  createdRoles: string[];
  createdDatabase: boolean;
  database: string;
  /** Tables, sequences, views and functions in `public` whose ownership moved to the owner role. */
  adoptedObjects: number;
}

/**
 * A database migrated before the roles existed has its objects owned by
 * whoever ran the migrations (often `postgres`): the owner role could not
 * alter them, and the app role's boot guard could not tell it apart.
 * Ownership of every relation and function in `public` moves to the owner.
 */
async function adoptObjects(client: Client, owner: string): Promise<number> {
  const relations = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
        AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
        -- sequences owned by a column follow their table
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'a'))
      ORDER BY c.relkind, c.relname`,
    [owner],
  );
  const keyword: Record<string, string> = {
    r: 'TABLE',
    p: 'TABLE',
    v: 'VIEW',
    m: 'MATERIALIZED VIEW',
    S: 'SEQUENCE',
  };
  for (const r of relations.rows) {
    await client.query(`ALTER ${keyword[r.kind]} public.${quoteIdent(r.name)} OWNER TO ${quoteIdent(owner)}`);
  }
  const functions = await client.query<{ signature: string }>(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [owner],
  );
  for (const f of functions.rows)
    await client.query(`ALTER ROUTINE ${f.signature} OWNER TO ${quoteIdent(owner)}`);
  return relations.rows.length + functions.rows.length;
}

/**
 * Creates (or corrects) the owner and app roles and the database owned by
 * the owner. Idempotent. The two URLs must name the same database and two
 * different roles.
 */
export async function setupRoles(urls: RoleUrls): Promise<SetupReport> {
  const owner = roleOf(urls.ownerUrl);
  const app = roleOf(urls.appUrl);
  if (owner === app) throw new Error('MIGRATION_DATABASE_URL and DATABASE_URL must use two different roles');
  const { database } = splitDatabaseUrl(urls.appUrl);
  if (splitDatabaseUrl(urls.ownerUrl).database !== database) {
    throw new Error('MIGRATION_DATABASE_URL and DATABASE_URL must name the same database');
  }
  const client = new Client({ connectionString: urls.superuserUrl, application_name: 'servers-v2-db-setup' });
  await client.connect();
  try {
    const createdRoles: string[] = [];
    if (await ensureRole(client, owner, 'NOSUPERUSER NOCREATEROLE BYPASSRLS', passwordOf(urls.ownerUrl))) {
      createdRoles.push(owner);
    }
    if (
      await ensureRole(
        client,
        app,
        'NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS',
        passwordOf(urls.appUrl),
      )
    ) {
      createdRoles.push(app);
    }
    let createdDatabase = false;
    let adopted = 0;
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(owner)}`);
        createdDatabase = true;
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
    await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(app)}`);
    // The outbox relay publishes only rows whose transactions are older than every open one
    // (pg_snapshot_xmin, cluster-wide): an app session left idle inside a transaction would hold
    // publishing back for as long as it stays open, so such a session is ended after a minute.
    await client.query(
      `ALTER ROLE ${quoteIdent(app)} IN DATABASE ${quoteIdent(database)} SET idle_in_transaction_session_timeout = '${APP_IDLE_IN_TRANSACTION_TIMEOUT}'`,
    );
    await client.query(`GRANT CONNECT, CREATE ON DATABASE ${quoteIdent(database)} TO ${quoteIdent(owner)}`);
    // The schema belongs to the owner, so the migrations (run as the owner) can create in it.
    const target = new URL(urls.superuserUrl);
    target.pathname = `/${database}`;
    const inDb = new Client({ connectionString: target.toString(), application_name: 'servers-v2-db-setup' });
    await inDb.connect();
    try {
      await inDb.query(`ALTER SCHEMA public OWNER TO ${quoteIdent(owner)}`);
      await inDb.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      adopted = await adoptObjects(inDb, owner);
    } finally {
      await inDb.end();
    }
    return {
      ownerRole: owner,
      appRole: app,
      createdRoles,
      createdDatabase,
      database,
      adoptedObjects: adopted,
    };
  } finally {
    await client.end();
  }
}

/** A connection that can run the GRANTs: the owner after migrating. */
export interface GrantExecutor {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Grants the app role what it needs and nothing more: DML on every table
 * (row security decides which rows), sequences for inserts, read-only on the
 * migrations table, INSERT/SELECT only on the append-only audit tables, and
 * SELECT/UPDATE only on the outbox relay cursor.
 */
export async function grantAppRole(executor: GrantExecutor, appRole: string): Promise<void> {
  const role = quoteIdent(appRole);
  await executor.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await executor.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
  await executor.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  await executor.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON migrations FROM ${role}`);
  for (const table of APPEND_ONLY_TABLES) {
    await executor.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM ${role}`);
  }
  await executor.query(`REVOKE INSERT, DELETE, TRUNCATE ON ${RELAY_CURSOR_TABLE} FROM ${role}`);
}
