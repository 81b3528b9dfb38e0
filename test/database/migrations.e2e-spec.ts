/**
 * Migrations apply to an empty database, are idempotent (CONTRACTS §10), give
 * every brand-scoped table a NOT NULL brand_id led index (ADR-009), keep the
 * fixed outbox/audit shapes, and revert cleanly to an empty schema.
 */
import { Client } from 'pg';
import { BRAND_SCOPED_TABLES, ensureDatabase, revertLastMigration, runMigrations } from '@app/database';
import { ALL_MIGRATIONS } from '../../migrations';
import { createEmptyDatabase, dropDatabase, databaseUrl, type SuiteDatabase } from '../support/db';

const EXPECTED_TABLES = [
  'brand',
  'brand_config',
  'brand_config_audit',
  'provider',
  'brand_provider_config',
  'admin_operator',
  'agent',
  'agent_brand',
  'agent_setting',
  'agent_domain',
  'level_domain',
  'player',
  'player_message',
  'agent_message',
  'player_notice',
  'banner',
  'player_deposit',
  'player_withdraw',
  'agent_withdraw',
  'coupon',
  'coupon_log',
  'coupon_recycle_log',
  'player_balance_log',
  'agent_balance_log',
  'player_login_log',
  'agent_login_log',
  'daily_statistics',
  'player_outbox',
  'agent_outbox',
  'recovery_audit',
  'admin_audit',
  'outbox_relay_cursor',
];

async function withClient<R>(url: string, fn: (c: Client) => Promise<R>): Promise<R> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function publicTables(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    return rows.map((r) => r.table_name);
  });
}

describe('migrations', () => {
  let db: SuiteDatabase;

  beforeAll(async () => {
    db = await createEmptyDatabase('migrations');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('apply every migration to an empty database, then nothing on a second run', async () => {
    const applied = await runMigrations(db.url);
    expect(applied).toEqual(ALL_MIGRATIONS.map((m) => new m().name));
    expect(await runMigrations(db.url)).toEqual([]);
    expect(await publicTables(db.url)).toEqual([...EXPECTED_TABLES, 'migrations'].sort());
  });

  it('insert the default brand', async () => {
    const rows = await withClient(
      db.url,
      async (c) => (await c.query(`SELECT id, brand_code, status FROM brand`)).rows,
    );
    expect(rows).toEqual([{ id: 1, brand_code: 'default', status: 'enabled' }]);
  });

  it('give exactly the tables of BRAND_SCOPED_TABLES a NOT NULL integer brand_id', async () => {
    const rows = await withClient(
      db.url,
      async (c) =>
        (
          await c.query<{ table_name: string; data_type: string; is_nullable: string }>(
            `SELECT table_name, data_type, is_nullable FROM information_schema.columns
            WHERE table_schema = 'public' AND column_name = 'brand_id' ORDER BY table_name`,
          )
        ).rows,
    );
    expect(rows.map((r) => r.table_name)).toEqual([...BRAND_SCOPED_TABLES].sort());
    for (const row of rows) {
      expect({ table: row.table_name, type: row.data_type, nullable: row.is_nullable }).toEqual({
        table: row.table_name,
        type: 'integer',
        nullable: 'NO',
      });
    }
  });

  it('lead an index with brand_id on every brand-scoped table', async () => {
    const rows = await withClient(
      db.url,
      async (c) =>
        (
          await c.query<{ table_name: string }>(
            `SELECT DISTINCT t.relname AS table_name
             FROM pg_index i
             JOIN pg_class t ON t.oid = i.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
            WHERE a.attname = 'brand_id'`,
          )
        ).rows,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual([...BRAND_SCOPED_TABLES].sort());
  });

  it('keep agents global: agent has no brand_id', async () => {
    const columns = await withClient(db.url, async (c) =>
      (
        await c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'agent'`)
      ).rows.map((r) => r.column_name as string),
    );
    expect(columns).toContain('guid');
    expect(columns).not.toContain('brand_id');
  });

  it('create the outbox with the fixed shape', async () => {
    for (const table of ['player_outbox', 'agent_outbox']) {
      const columns = await withClient(db.url, async (c) =>
        (
          await c.query<{
            column_name: string;
            data_type: string;
            is_nullable: string;
            column_default: string | null;
          }>(
            `SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns
              WHERE table_name = $1 ORDER BY ordinal_position`,
            [table],
          )
        ).rows.map((r) => [r.column_name, r.data_type, r.is_nullable, r.column_default]),
      );
      expect(columns).toEqual([
        ['id', 'bigint', 'NO', `nextval('${table}_id_seq'::regclass)`],
        ['event_id', 'uuid', 'NO', null],
        ['brand_id', 'integer', 'NO', null],
        ['event_type', 'text', 'NO', null],
        ['aggregate_type', 'text', 'NO', null],
        ['aggregate_id', 'text', 'NO', null],
        ['envelope', 'jsonb', 'NO', null],
        ['status', 'text', 'NO', "'pending'::text"],
        ['attempts', 'integer', 'NO', '0'],
        ['next_attempt_at', 'timestamp with time zone', 'NO', 'now()'],
        ['last_error', 'text', 'YES', null],
        ['created_at', 'timestamp with time zone', 'NO', 'now()'],
        ['published_at', 'timestamp with time zone', 'YES', null],
        ['tx_id', 'xid8', 'NO', 'pg_current_xact_id()'],
      ]);
      const indexes = await withClient(db.url, async (c) =>
        (await c.query(`SELECT indexdef FROM pg_indexes WHERE tablename = $1`, [table])).rows.map(
          (r) => r.indexdef as string,
        ),
      );
      expect(indexes).toEqual(
        expect.arrayContaining([
          expect.stringContaining('(brand_id, created_at)'),
          expect.stringMatching(/INDEX \w+_relay_idx ON public\.\w+ USING btree \(tx_id, id\)$/),
          expect.stringMatching(/\(id\) WHERE \(status = 'dead'::text\)/),
          expect.stringMatching(/UNIQUE INDEX .* \(event_id\)/),
        ]),
      );
      // the row-claim relay's pending index is gone (it would index every published row forever)
      expect(indexes.filter((d) => d.includes('next_attempt_at'))).toEqual([]);
    }
  });

  it('create the audit tables with the fixed columns', async () => {
    const columnsOf = (table: string) =>
      withClient(db.url, async (c) =>
        (
          await c.query(
            `SELECT column_name, data_type, is_nullable FROM information_schema.columns
              WHERE table_name = $1 ORDER BY ordinal_position`,
            [table],
          )
        ).rows.map((r) => `${r.column_name} ${r.data_type} ${r.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}`),
      );
    expect(await columnsOf('recovery_audit')).toEqual([
      'id bigint NOT NULL',
      'brand_id integer NOT NULL',
      'subject_type text NOT NULL',
      'subject_id text NULL',
      'action text NOT NULL',
      'outcome text NOT NULL',
      'contact_hash text NULL',
      'ip_hash text NULL',
      'request_id text NULL',
      'metadata jsonb NOT NULL',
      'created_at timestamp with time zone NOT NULL',
    ]);
    expect(await columnsOf('admin_audit')).toEqual([
      'id bigint NOT NULL',
      'brand_id integer NOT NULL',
      'operator_id text NOT NULL',
      'action text NOT NULL',
      'resource text NOT NULL',
      'resource_id text NULL',
      'before jsonb NULL',
      'after jsonb NULL',
      'reason text NULL',
      'request_id text NULL',
      'payload jsonb NOT NULL',
      'created_at timestamp with time zone NOT NULL',
    ]);
  });

  it('revert one by one, newest first, back to an empty schema', async () => {
    const reverted: string[] = [];
    for (;;) {
      const name = await revertLastMigration(db.url);
      if (name === null) break;
      reverted.push(name);
    }
    expect(reverted).toEqual(ALL_MIGRATIONS.map((m) => new m().name).reverse());
    expect(await publicTables(db.url)).toEqual(['migrations']);
    const leftovers = await withClient(db.url, async (c) => {
      const functions = await c.query(
        `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
      );
      const sequences = await c.query(
        `SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'`,
      );
      const rows = await c.query(`SELECT count(*)::int AS n FROM migrations`);
      return {
        functions: functions.rows,
        sequences: sequences.rows.map((r) => r.sequence_name),
        recorded: rows.rows[0].n,
      };
    });
    expect(leftovers).toEqual({ functions: [], sequences: ['migrations_id_seq'], recorded: 0 });
    // and forward again from there
    expect(await runMigrations(db.url)).toHaveLength(ALL_MIGRATIONS.length);
  });
});

describe('ensureDatabase', () => {
  it('creates a missing database once and is a no-op afterwards', async () => {
    const name = `servers_v2_test_ensure_${process.pid}_${Date.now()}`;
    try {
      expect(await ensureDatabase(databaseUrl(name))).toBe(true);
      expect(await ensureDatabase(databaseUrl(name))).toBe(false);
      await withClient(databaseUrl(name), async (c) =>
        expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]),
      );
    } finally {
      await dropDatabase(name);
    }
  });
});
