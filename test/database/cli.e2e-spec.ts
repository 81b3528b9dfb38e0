/**
 * The operator CLI against a real PostgreSQL (CONTRACTS §10, issue #8):
 * `db:setup` creates the owner and app roles and the database owned by the
 * owner; `migrate` applies every migration as the owner, grants the app role
 * and is idempotent; `migrate:revert` reverts one migration per call. No
 * command prints a URL or a password.
 */
import { runCli } from '../../apps/cli/src/cli';
import { ALL_MIGRATIONS } from '../../migrations';
import { runMigrations } from '@app/database';
import {
  baseDatabaseUrl,
  databaseUrl,
  dropDatabase,
  quoteIdent,
  testRunId,
  withMaintenanceClient,
} from '../support/db';

function withRole(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password;
  return parsed.toString();
}

describe('cli db:setup and migrate', () => {
  const name = `servers_v2_test_${testRunId()}_cli_${process.pid}`;
  const owner = `servers_v2_test_cli_owner_${process.pid}`;
  const app = `servers_v2_test_cli_app_${process.pid}`;
  const env = {
    DATABASE_SUPERUSER_URL: baseDatabaseUrl(),
    MIGRATION_DATABASE_URL: withRole(databaseUrl(name), owner, 'owner-not-a-secret'),
    DATABASE_URL: withRole(databaseUrl(name), app, 'app-not-a-secret'),
  };
  const run = async (argv: string[], overrides: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      env: { ...env, ...overrides },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out, err };
  };

  afterAll(async () => {
    await dropDatabase(name);
    await withMaintenanceClient(async (client) => {
      for (const role of [app, owner]) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
    });
  });

  it('migrate before db:setup says to run db:setup, without the URL', async () => {
    const result = await run(['migrate']);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/db:setup|does not exist|failed/);
    expect(result.err.join('\n')).not.toContain('not-a-secret');
  });

  it('db:setup creates both roles and the database owned by the owner', async () => {
    const result = await run(['db:setup']);
    expect(result).toEqual({
      code: 0,
      out: [`owner role ${owner} (created)`, `app role ${app} (created)`, `database ${name} (created)`],
      err: [],
    });
    const roles = await withMaintenanceClient((client) =>
      client.query<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }>(
        `SELECT rolname, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
        [[owner, app]],
      ),
    );
    expect(roles.rows).toEqual([
      { rolname: app, rolsuper: false, rolbypassrls: false, rolcreaterole: false },
      { rolname: owner, rolsuper: false, rolbypassrls: true, rolcreaterole: false },
    ]);
    const db = await withMaintenanceClient((client) =>
      client.query<{ owner: string }>(
        `SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1`,
        [name],
      ),
    );
    expect(db.rows).toEqual([{ owner }]);
    // App sessions idle in a transaction are ended (they would hold the outbox relay back).
    const settings = await withMaintenanceClient((client) =>
      client.query<{ setconfig: string[] }>(
        `SELECT s.setconfig FROM pg_db_role_setting s
           JOIN pg_database d ON d.oid = s.setdatabase JOIN pg_roles r ON r.oid = s.setrole
          WHERE d.datname = $1 AND r.rolname = $2`,
        [name, app],
      ),
    );
    expect(settings.rows).toEqual([{ setconfig: ['idle_in_transaction_session_timeout=60s'] }]);
  });

  it('db:setup is idempotent and corrects an app role that was given BYPASSRLS', async () => {
    await withMaintenanceClient((client) => client.query(`ALTER ROLE ${quoteIdent(app)} BYPASSRLS`));
    expect(await run(['db:setup'])).toEqual({
      code: 0,
      out: [`owner role ${owner}`, `app role ${app}`, `database ${name} (exists)`],
      err: [],
    });
    const { rows } = await withMaintenanceClient((client) =>
      client.query(`SELECT rolbypassrls FROM pg_roles WHERE rolname = $1`, [app]),
    );
    expect(rows).toEqual([{ rolbypassrls: false }]);
  });

  it('migrate applies every migration as the owner and grants the app role', async () => {
    const result = await run(['migrate']);
    expect(result).toEqual({
      code: 0,
      out: [
        ...ALL_MIGRATIONS.map((m) => `applied ${new m().name}`),
        `database ${name}: ${ALL_MIGRATIONS.length} migration(s) applied`,
        `app role ${app}: privileges granted`,
      ],
      err: [],
    });
    expect(result.out.join('\n')).not.toContain('not-a-secret');
    const inDb = databaseUrl(name);
    const { Client } = await import('pg');
    const client = new Client({ connectionString: inDb });
    await client.connect();
    try {
      const owners = await client.query<{ owner: string; n: string }>(
        `SELECT pg_get_userbyid(relowner) AS owner, count(*) AS n FROM pg_class
          WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' GROUP BY 1`,
      );
      expect(owners.rows.map((r) => r.owner)).toEqual([owner]);
      const privileges = await client.query<{ ins: boolean; upd: boolean; del: boolean; sel: boolean }>(
        `SELECT has_table_privilege($1, 'recovery_audit', 'INSERT') AS ins,
                has_table_privilege($1, 'recovery_audit', 'UPDATE') AS upd,
                has_table_privilege($1, 'recovery_audit', 'DELETE') AS del,
                has_table_privilege($1, 'player', 'SELECT') AS sel`,
        [app],
      );
      expect(privileges.rows).toEqual([{ ins: true, upd: false, del: false, sel: true }]);
    } finally {
      await client.end();
    }
  });

  it('is idempotent', async () => {
    expect(await run(['migrate'])).toEqual({
      code: 0,
      out: [`database ${name} is up to date`, `app role ${app}: privileges granted`],
      err: [],
    });
  });

  it('migrate:revert reverts the newest migration, and migrate re-applies it', async () => {
    const newest = new ALL_MIGRATIONS[ALL_MIGRATIONS.length - 1]().name;
    expect(await run(['migrate:revert'])).toEqual({ code: 0, out: [`reverted ${newest}`], err: [] });
    expect((await run(['migrate'])).out).toEqual([
      `applied ${newest}`,
      `database ${name}: 1 migration(s) applied`,
      `app role ${app}: privileges granted`,
    ]);
  });

  it('db:setup adopts a schema migrated before the roles existed, so migrate can run as the owner', async () => {
    const legacy = `${name}_legacy`;
    await withMaintenanceClient((client) => client.query(`CREATE DATABASE ${quoteIdent(legacy)}`));
    try {
      // migrated by the superuser, as every database was before issue #8
      await runMigrations(databaseUrl(legacy));
      const legacyEnv = {
        MIGRATION_DATABASE_URL: withRole(databaseUrl(legacy), owner, 'owner-not-a-secret'),
        DATABASE_URL: withRole(databaseUrl(legacy), app, 'app-not-a-secret'),
      };
      const setup = await run(['db:setup'], legacyEnv);
      expect(setup.code).toBe(0);
      expect(setup.out[2]).toBe(`database ${legacy} (exists)`);
      expect(setup.out[3]).toMatch(new RegExp(`^\\d+ existing object\\(s\\) now owned by ${owner}$`));
      const migrated = await run(['migrate'], legacyEnv);
      expect(migrated).toEqual({
        code: 0,
        out: [`database ${legacy} is up to date`, `app role ${app}: privileges granted`],
        err: [],
      });
      const { Client } = await import('pg');
      const client = new Client({ connectionString: databaseUrl(legacy) });
      await client.connect();
      try {
        const owners = await client.query<{ owner: string }>(
          `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
            WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')
           UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = 'public'::regnamespace`,
        );
        expect(owners.rows).toEqual([{ owner }]);
      } finally {
        await client.end();
      }
      // a second run has nothing left to adopt
      expect((await run(['db:setup'], legacyEnv)).out).toHaveLength(3);
    } finally {
      await dropDatabase(legacy);
    }
  });

  it('refuses to migrate when DATABASE_URL uses the owner role', async () => {
    const result = await run(['migrate'], { DATABASE_URL: env.MIGRATION_DATABASE_URL });
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      'migrate: DATABASE_URL must use the app role, not the owner of MIGRATION_DATABASE_URL (see db:setup)',
    ]);
  });

  it('reports a failure with exit code 1 and without the URL', async () => {
    const result = await run(['migrate'], {
      MIGRATION_DATABASE_URL: 'postgres://owner:hunter2@127.0.0.1:1/nowhere',
      DATABASE_URL: 'postgres://app:hunter3@127.0.0.1:1/nowhere',
    });
    expect(result.code).toBe(1);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toMatch(/^migrate failed: /);
    expect(result.err[0]).not.toContain('hunter');
  });
});
