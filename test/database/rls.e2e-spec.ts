/**
 * Issue #8 acceptance at the database level: PostgreSQL itself keeps brands
 * apart, whatever SQL the apps send. Raw statements run as the app role
 * (DATABASE_URL; no SUPERUSER, no BYPASSRLS, owns nothing) with NO brand
 * predicate, so every filtering seen here is row-level security
 * (migration RowLevelSecurity1764000004000), not application code:
 *   - catalog: every table with a brand_id column (read from pg_attribute,
 *     not from our own list) has ENABLE + FORCE row security and the
 *     brand_isolation policy; the shared brand-scoped-tables.json equals that
 *     set; money tables have no cross-brand policy; only the outbox tables
 *     can be updated across brands;
 *   - per table, for every brand-scoped table: SELECT, UPDATE, DELETE and
 *     INSERT see or touch only the brand bound by `app.brand_id`; a row
 *     cannot be moved or written into another brand; with no brand bound
 *     (new session, or after a COMMIT on a pooled connection) nothing is
 *     visible and nothing can be written (fail closed);
 *   - the cross-brand opt-in (`app.cross_brand`, set by crossBrandSql) reads
 *     non-money tables only, and `relay` updates the outbox tables only.
 * The per-table suites iterate brand-scoped-tables.json because jest needs
 * the list before any database exists; the catalog test asserts that list
 * equals the catalog's, so a new brand_id table not in the list fails here,
 * and once listed it gets every per-table test (its fixture rows are
 * generated from the schema, see rls-fixtures.ts).
 */
import { Client, type QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, crossBrandSql } from '@app/database';
import scoped from '../../libs/database/src/brand-scoped-tables.json';
import { RLS_MONEY_TABLES, RLS_RELAY_TABLES } from '../../migrations/1764000004000-RowLevelSecurity';
import { createSuiteDatabase, TEST_APP_ROLE, type SuiteDatabase } from '../support/db';
import {
  type Catalog,
  foreignKeyOrder,
  insertSql,
  quoteIdent,
  readCatalog,
  referencing,
  RowFactory,
} from './rls-fixtures';

const LISTED_TABLES: readonly string[] = [...scoped.tables].sort();
const MONEY = new Set<string>(RLS_MONEY_TABLES);
const RELAY = new Set<string>(RLS_RELAY_TABLES);
/** Brand A is the demo brand every fresh database has; brand B is created by this suite. */
const BRAND_A = 1;
const ROWS_A = 2;
const ROWS_B = 3;

type Attempt = { ok: true; result: QueryResult } | { ok: false; code: string; message: string };

describe('row-level security (issue #8)', () => {
  let db: SuiteDatabase;
  let superuser: Client;
  /** One app-role session for the whole suite, like a pooled connection. */
  let app: Client;
  let catalog: Catalog;
  let rows: RowFactory;
  let brandB: number;
  /** Tables with the audit_append_only trigger: INSERT/SELECT only for the app role. */
  let appendOnly: Set<string>;

  const t = (table: string): string => quoteIdent(table);

  /** Runs one statement inside the open transaction; a failure rolls back to a savepoint and is returned. */
  async function attempt(client: Client, text: string, values: unknown[] = []): Promise<Attempt> {
    await client.query('SAVEPOINT rls_attempt');
    try {
      const result = await client.query(text, values);
      await client.query('RELEASE SAVEPOINT rls_attempt');
      return { ok: true, result };
    } catch (err) {
      await client.query('ROLLBACK TO SAVEPOINT rls_attempt');
      const e = err as { code?: string; message?: string };
      return { ok: false, code: e.code ?? '', message: e.message ?? '' };
    }
  }

  function failure(a: Attempt): { code: string; message: string } {
    if (a.ok)
      throw new Error(`expected the statement to be refused; it affected ${a.result.rowCount} row(s)`);
    return { code: a.code, message: a.message };
  }

  function success(a: Attempt): QueryResult {
    if (!a.ok) throw new Error(`expected the statement to succeed; it failed: ${a.code} ${a.message}`);
    return a.result;
  }

  /** A transaction on `client` with the given settings (transaction-local), always rolled back. */
  async function inTx<R>(
    client: Client,
    settings: { brand?: number; cross?: 'read' | 'relay' },
    fn: () => Promise<R>,
  ): Promise<R> {
    await client.query('BEGIN');
    try {
      if (settings.brand !== undefined) {
        await client.query(`SELECT set_config('app.brand_id', $1, true)`, [String(settings.brand)]);
      }
      if (settings.cross !== undefined) {
        await client.query(`SELECT set_config('app.cross_brand', $1, true)`, [settings.cross]);
      }
      return await fn();
    } finally {
      await client.query('ROLLBACK');
    }
  }

  /** Row counts per brand, as the superuser (no row security) sees them. */
  async function counts(table: string): Promise<{ a: number; b: number; total: number }> {
    const { rows: found } = await superuser.query<{ brand_id: number; n: number }>(
      `SELECT brand_id, count(*)::int AS n FROM ${t(table)} GROUP BY brand_id`,
    );
    const of = (brand: number): number => found.find((r) => r.brand_id === brand)?.n ?? 0;
    return { a: of(BRAND_A), b: of(brandB), total: found.reduce((sum, r) => sum + r.n, 0) };
  }

  /** Deletes, in the open transaction, the rows of other tables that reference `table`'s visible rows. */
  async function deleteReferencingRows(client: Client, table: string, depth = 0): Promise<void> {
    if (depth > 10) throw new Error(`foreign keys nest too deep below ${table}`);
    for (const fk of referencing(catalog, table)) {
      await deleteReferencingRows(client, fk.table, depth + 1);
      const cols = fk.columns.map(quoteIdent).join(', ');
      const refCols = fk.refColumns.map(quoteIdent).join(', ');
      await client.query(
        `DELETE FROM ${t(fk.table)} WHERE (${cols}) IN (SELECT ${refCols} FROM ${t(table)})`,
      );
    }
  }

  const brandsOf = (result: QueryResult): number[] =>
    [...new Set(result.rows.map((r) => Number(r.brand_id)))].sort();

  beforeAll(async () => {
    db = await createSuiteDatabase('rls');
    superuser = new Client({ connectionString: db.url, application_name: 'rls-e2e-fixtures' });
    await superuser.connect();
    app = new Client({ connectionString: db.appUrl, application_name: 'rls-e2e-app' });
    await app.connect();
    brandB = (
      await superuser.query<{ id: number }>(
        `INSERT INTO brand (brand_code, name, default_currency) VALUES ('rlsb', 'RLS brand B', 'USD') RETURNING id`,
      )
    ).rows[0].id;
    catalog = await readCatalog(superuser);
    rows = new RowFactory(superuser, catalog);
    for (const table of foreignKeyOrder(catalog)) {
      for (let i = 0; i < ROWS_A; i++) await rows.insert(table, BRAND_A);
      for (let i = 0; i < ROWS_B; i++) await rows.insert(table, brandB);
    }
    appendOnly = new Set(
      (
        await superuser.query<{ table: string }>(
          `SELECT DISTINCT c.relname AS table FROM pg_trigger tg
             JOIN pg_class c ON c.oid = tg.tgrelid JOIN pg_proc p ON p.oid = tg.tgfoid
            WHERE p.proname = 'audit_append_only' AND NOT tg.tgisinternal
              AND c.relnamespace = 'public'::regnamespace`,
        )
      ).rows.map((r) => r.table),
    );
  });

  afterAll(async () => {
    await app?.end();
    await superuser?.end();
    await db?.drop();
  });

  describe('catalog', () => {
    it('the app role is not a superuser, cannot bypass row security, owns nothing and cannot become an owner', async () => {
      const { rows: me } = await app.query(
        `SELECT current_user AS role, r.rolsuper, r.rolbypassrls,
                (SELECT count(*)::int FROM pg_class c
                  WHERE c.relowner = r.oid AND c.relnamespace = 'public'::regnamespace) AS owned,
                (SELECT count(*)::int FROM pg_class c
                  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                    AND pg_has_role(current_user, c.relowner, 'MEMBER')) AS owner_memberships,
                (SELECT count(*)::int FROM pg_roles o
                  WHERE (o.rolsuper OR o.rolbypassrls) AND pg_has_role(current_user, o.oid, 'MEMBER')) AS privileged_memberships
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(me).toEqual([
        {
          role: TEST_APP_ROLE,
          rolsuper: false,
          rolbypassrls: false,
          owned: 0,
          owner_memberships: 0,
          privileged_memberships: 0,
        },
      ]);
    });

    it('every table with a brand_id column has ENABLE + FORCE row security and brand_isolation for ALL commands', async () => {
      const { rows: found } = await superuser.query<{
        table: string;
        rls: boolean;
        force: boolean;
        policies: {
          name: string;
          cmd: string;
          permissive: string;
          roles: string[];
          qual: string;
          check: string;
        }[];
      }>(
        `SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
                COALESCE((SELECT json_agg(json_build_object('name', p.policyname, 'cmd', p.cmd, 'permissive', p.permissive,
                                                            'roles', p.roles, 'qual', p.qual, 'check', p.with_check))
                            FROM pg_policies p
                           WHERE p.schemaname = 'public' AND p.tablename = c.relname
                             AND p.policyname = 'brand_isolation'), '[]') AS policies
           FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
            AND EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attname = 'brand_id' AND NOT a.attisdropped)
          ORDER BY 1`,
      );
      expect(found.length).toBeGreaterThanOrEqual(20);
      const bad = found.filter((r) => {
        const [p, ...more] = r.policies;
        return (
          !r.rls ||
          !r.force ||
          !p ||
          more.length > 0 ||
          p.cmd !== 'ALL' ||
          p.permissive !== 'PERMISSIVE' ||
          p.roles.join() !== 'public' ||
          !/brand_id = \(?NULLIF\(current_setting\('app\.brand_id'::text, true\), ''::text\)\)?::integer/.test(
            p.qual,
          ) ||
          p.check !== p.qual
        );
      });
      expect(bad).toEqual([]);
      expect(found.map((r) => r.table)).toEqual(catalog.brandTables);
    });

    it('brand-scoped-tables.json lists exactly the tables with a brand_id column', () => {
      expect(LISTED_TABLES).toEqual(catalog.brandTables);
    });

    it('money tables are brand-scoped and have exactly one policy, brand_isolation', async () => {
      expect(RLS_MONEY_TABLES.filter((m) => !catalog.brandTables.includes(m))).toEqual([]);
      const { rows: found } = await superuser.query<{ table: string; policies: string[] }>(
        `SELECT c.relname AS table,
                ARRAY(SELECT p.policyname::text FROM pg_policies p
                       WHERE p.schemaname = 'public' AND p.tablename = c.relname ORDER BY 1) AS policies
           FROM pg_class c
          WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY ($1) ORDER BY 1`,
        [[...RLS_MONEY_TABLES]],
      );
      expect(found).toEqual(
        [...RLS_MONEY_TABLES].sort().map((table) => ({ table, policies: ['brand_isolation'] })),
      );
    });

    it('only the outbox tables have a cross-brand UPDATE policy, and no policy allows a cross-brand INSERT or DELETE', async () => {
      const { rows: found } = await superuser.query<{ table: string; policy: string; cmd: string }>(
        `SELECT tablename AS table, policyname AS policy, cmd FROM pg_policies
          WHERE schemaname = 'public' AND policyname <> 'brand_isolation' ORDER BY 1, 2`,
      );
      expect(
        found
          .filter((p) => ['UPDATE', 'ALL'].includes(p.cmd))
          .map((p) => p.table)
          .sort(),
      ).toEqual([...RLS_RELAY_TABLES].sort());
      expect(found.filter((p) => ['INSERT', 'DELETE', 'ALL'].includes(p.cmd))).toEqual([]);
      // every other cross-brand policy is a read on a non-money table
      expect(found.filter((p) => p.cmd === 'SELECT' && MONEY.has(p.table))).toEqual([]);
    });

    it('append-only audit tables are exactly the ones the app role may not UPDATE or DELETE', async () => {
      expect([...appendOnly].sort()).toEqual(['admin_audit', 'brand_config_audit', 'recovery_audit']);
      const { rows: privileges } = await app.query<{
        table: string;
        ins: boolean;
        sel: boolean;
        upd: boolean;
        del: boolean;
      }>(
        `SELECT t AS table, has_table_privilege(t, 'INSERT') AS ins, has_table_privilege(t, 'SELECT') AS sel,
                has_table_privilege(t, 'UPDATE') AS upd, has_table_privilege(t, 'DELETE') AS del
           FROM unnest($1::text[]) t ORDER BY 1`,
        [catalog.brandTables],
      );
      for (const p of privileges) {
        const writable = !appendOnly.has(p.table);
        expect({ table: p.table, ins: p.ins, sel: p.sel, upd: p.upd, del: p.del }).toEqual({
          table: p.table,
          ins: true,
          sel: true,
          upd: writable,
          del: writable,
        });
      }
      expect(privileges).toHaveLength(catalog.brandTables.length);
    });

    it('the outbox relay cursor (no brand_id, no row security) is read and moved by the app role, never added to or emptied', async () => {
      const { rows: privileges } = await app.query(
        `SELECT has_table_privilege('outbox_relay_cursor', 'SELECT') AS sel, has_table_privilege('outbox_relay_cursor', 'UPDATE') AS upd,
                has_table_privilege('outbox_relay_cursor', 'INSERT') AS ins, has_table_privilege('outbox_relay_cursor', 'DELETE') AS del,
                has_table_privilege('outbox_relay_cursor', 'TRUNCATE') AS trunc`,
      );
      expect(privileges).toEqual([{ sel: true, upd: true, ins: false, del: false, trunc: false }]);
      expect(catalog.brandTables).not.toContain('outbox_relay_cursor');
      // One row per outbox table, readable without any brand bound.
      const { rows: cursors } = await app.query(`SELECT outbox_table FROM outbox_relay_cursor ORDER BY 1`);
      expect(cursors.map((r) => r.outbox_table)).toEqual([...RLS_RELAY_TABLES].sort());
    });

    it("no function in schema public runs with its owner's rights (SECURITY DEFINER would bypass row security)", async () => {
      const { rows: found } = await superuser.query(
        `SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prosecdef`,
      );
      expect(found).toEqual([]);
    });
  });

  describe.each(LISTED_TABLES)('%s, as the app role with raw SQL and no brand predicate', (table) => {
    it("SELECT * returns exactly the bound brand's rows", async () => {
      const expected = await counts(table);
      expect(expected.a).toBeGreaterThan(0);
      expect(expected.b).toBeGreaterThan(0);
      const result = await inTx(app, { brand: BRAND_A }, () => app.query(`SELECT * FROM ${t(table)}`));
      expect(result.rows).toHaveLength(expected.a);
      expect(brandsOf(result)).toEqual([BRAND_A]);
      const other = await inTx(app, { brand: brandB }, () => app.query(`SELECT * FROM ${t(table)}`));
      expect(other.rows).toHaveLength(expected.b);
      expect(brandsOf(other)).toEqual([brandB]);
    });

    it("UPDATE changes only the bound brand's rows (append-only tables: permission denied)", async () => {
      const expected = await counts(table);
      const outcome = await inTx(app, { brand: BRAND_A }, () =>
        attempt(app, `UPDATE ${t(table)} SET brand_id = brand_id RETURNING brand_id`),
      );
      if (appendOnly.has(table)) {
        expect(failure(outcome)).toEqual({ code: '42501', message: `permission denied for table ${table}` });
        return;
      }
      const result = success(outcome);
      expect(result.rowCount).toBe(expected.a);
      expect(brandsOf(result)).toEqual([BRAND_A]);
    });

    it("refuses to move one of the bound brand's rows to another brand", async () => {
      await inTx(app, { brand: BRAND_A }, async () => {
        const {
          rows: [target],
        } = await app.query<{ ctid: string; brand_id: number }>(
          `SELECT ctid::text, brand_id FROM ${t(table)} LIMIT 1`,
        );
        expect(target.brand_id).toBe(BRAND_A);
        const move = await attempt(app, `UPDATE ${t(table)} SET brand_id = $1 WHERE ctid = $2::tid`, [
          brandB,
          target.ctid,
        ]);
        if (appendOnly.has(table)) {
          expect(failure(move)).toEqual({ code: '42501', message: `permission denied for table ${table}` });
          return;
        }
        // The brand_id_immutable trigger (BEFORE UPDATE) refuses first; row security's WITH CHECK stands behind it.
        const refused = failure(move);
        expect(refused.code).toBe('42501');
        expect(refused.message).toBe(`brand_id of a ${table} row cannot change`);
        // the same statement keeping the brand matches that row: the refusal above is row security's
        const kept = success(
          await attempt(app, `UPDATE ${t(table)} SET brand_id = $1 WHERE ctid = $2::tid`, [
            BRAND_A,
            target.ctid,
          ]),
        );
        expect(kept.rowCount).toBe(1);
      });
    });

    it("DELETE removes only the bound brand's rows (append-only tables: permission denied)", async () => {
      const before = await counts(table);
      const outcome = await inTx(app, { brand: BRAND_A }, async () => {
        if (!appendOnly.has(table)) await deleteReferencingRows(app, table);
        return attempt(app, `DELETE FROM ${t(table)} RETURNING brand_id`);
      });
      if (appendOnly.has(table)) {
        expect(failure(outcome)).toEqual({ code: '42501', message: `permission denied for table ${table}` });
      } else {
        const result = success(outcome);
        expect(result.rowCount).toBe(before.a);
        expect(brandsOf(result)).toEqual([BRAND_A]);
      }
      expect(await counts(table)).toEqual(before);
    });

    it('INSERT of a valid row for another brand is refused; the same row for the bound brand is accepted', async () => {
      const row = await rows.build(table, BRAND_A);
      await inTx(app, { brand: BRAND_A }, async () => {
        const foreign = insertSql(table, { ...row, brand_id: brandB });
        const refused = failure(await attempt(app, foreign.text, foreign.values));
        expect(refused).toEqual({
          code: '42501',
          message: `new row violates row-level security policy for table "${table}"`,
        });
        const own = insertSql(table, row);
        expect(success(await attempt(app, own.text, own.values)).rowCount).toBe(1);
      });
    });

    it('fails closed in a new session with no brand bound: nothing visible, nothing insertable', async () => {
      expect((await counts(table)).total).toBeGreaterThan(0);
      const row = await rows.build(table, BRAND_A);
      const fresh = new Client({ connectionString: db.appUrl, application_name: 'rls-e2e-fresh' });
      await fresh.connect();
      try {
        await inTx(fresh, {}, async () => {
          const { rows: seen } = await fresh.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${t(table)}`,
          );
          expect(seen[0].n).toBe(0);
          const insert = insertSql(table, row);
          expect(failure(await attempt(fresh, insert.text, insert.values))).toEqual({
            code: '42501',
            message: `new row violates row-level security policy for table "${table}"`,
          });
        });
      } finally {
        await fresh.end();
      }
    });

    it('fails closed on the same connection after a committed brand transaction', async () => {
      const expected = await counts(table);
      const row = await rows.build(table, BRAND_A);
      await app.query('BEGIN');
      try {
        await app.query(`SELECT set_config('app.brand_id', $1, true)`, [String(BRAND_A)]);
        const { rows: bound } = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t(table)}`);
        expect(bound[0].n).toBe(expected.a);
        await app.query('COMMIT');
      } catch (err) {
        await app.query('ROLLBACK');
        throw err;
      }
      await inTx(app, {}, async () => {
        const { rows: seen } = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t(table)}`);
        expect(seen[0].n).toBe(0);
        const insert = insertSql(table, row);
        expect(failure(await attempt(app, insert.text, insert.values))).toEqual({
          code: '42501',
          message: `new row violates row-level security policy for table "${table}"`,
        });
      });
    });
  });

  describe('foreign keys between brand-scoped tables carry the brand', () => {
    it.each([
      ['player_message', 'player_id', 'player'],
      ['player_deposit', 'player_id', 'player'],
      ['player_withdraw', 'player_id', 'player'],
      ['coupon', 'player_id', 'player'],
      ['coupon_log', 'coupon_id', 'coupon'],
      ['coupon_recycle_log', 'coupon_id', 'coupon'],
    ])(
      "%s.%s cannot point at another brand's %s, and the refusal does not reveal that it exists",
      async (table, column, parent) => {
        const {
          rows: [foreign],
        } = await superuser.query<{ id: string }>(`SELECT id FROM ${t(parent)} WHERE brand_id = $1 LIMIT 1`, [
          brandB,
        ]);
        const {
          rows: [own],
        } = await superuser.query<{ id: string }>(`SELECT id FROM ${t(parent)} WHERE brand_id = $1 LIMIT 1`, [
          BRAND_A,
        ]);
        const row = await rows.build(table, BRAND_A);
        await inTx(app, { brand: BRAND_A }, async () => {
          const valid = insertSql(table, { ...row, [column]: own.id });
          expect(success(await attempt(app, valid.text, valid.values)).rowCount).toBe(1);
          const cross = insertSql(table, { ...row, [column]: foreign.id });
          const missing = insertSql(table, { ...row, [column]: '999999999' });
          const crossFailure = failure(await attempt(app, cross.text, cross.values));
          const missingFailure = failure(await attempt(app, missing.text, missing.values));
          expect(crossFailure.code).toBe('23503');
          expect(missingFailure.code).toBe('23503');
        });
      },
    );
  });

  describe('the cross-brand opt-in (app.cross_brand, no brand bound)', () => {
    it.each(LISTED_TABLES)('read: %s shows every brand unless it is a money table', async (table) => {
      const expected = await counts(table);
      const result = await inTx(app, { cross: 'read' }, () => app.query(`SELECT brand_id FROM ${t(table)}`));
      if (MONEY.has(table)) {
        expect(expected.total).toBeGreaterThan(0);
        expect(result.rowCount).toBe(0);
      } else {
        expect(result.rowCount).toBe(expected.total);
        expect(brandsOf(result)).toEqual([BRAND_A, brandB].sort());
      }
    });

    it.each(LISTED_TABLES)(
      'read: %s still refuses INSERT and changes nothing with UPDATE or DELETE',
      async (table) => {
        const row = await rows.build(table, BRAND_A);
        await inTx(app, { cross: 'read' }, async () => {
          const insert = insertSql(table, row);
          expect(failure(await attempt(app, insert.text, insert.values)).code).toBe('42501');
          const update = await attempt(app, `UPDATE ${t(table)} SET brand_id = brand_id`);
          const remove = await attempt(app, `DELETE FROM ${t(table)}`);
          if (appendOnly.has(table)) {
            expect(failure(update).code).toBe('42501');
            expect(failure(remove).code).toBe('42501');
          } else {
            expect(success(update).rowCount).toBe(0);
            expect(success(remove).rowCount).toBe(0);
          }
        });
      },
    );

    it.each(LISTED_TABLES)(
      'relay: no statement moves a %s row to another brand (permissive policies are OR-ed)',
      async (table) => {
        await inTx(app, { brand: BRAND_A, cross: 'relay' }, async () => {
          const move = await attempt(app, `UPDATE ${t(table)} SET brand_id = $1 WHERE brand_id = $2`, [
            brandB,
            BRAND_A,
          ]);
          expect(failure(move).code).toBe('42501');
          const anywhere = await attempt(app, `UPDATE ${t(table)} SET brand_id = 999999`);
          expect(failure(anywhere).code).toBe('42501');
        });
        expect((await counts(table)).a).toBeGreaterThan(0);
      },
    );

    it.each(LISTED_TABLES)(
      'relay: UPDATE of %s reaches every brand only for an outbox table',
      async (table) => {
        const expected = await counts(table);
        const row = await rows.build(table, BRAND_A);
        await inTx(app, { cross: 'relay' }, async () => {
          const update = await attempt(app, `UPDATE ${t(table)} SET brand_id = brand_id RETURNING brand_id`);
          if (appendOnly.has(table)) {
            expect(failure(update).code).toBe('42501');
          } else if (RELAY.has(table)) {
            expect(success(update).rowCount).toBe(expected.total);
            expect(brandsOf(success(update))).toEqual([BRAND_A, brandB].sort());
          } else {
            expect(success(update).rowCount).toBe(0);
          }
          const insert = insertSql(table, row);
          expect(failure(await attempt(app, insert.text, insert.values)).code).toBe('42501');
          if (!appendOnly.has(table))
            expect(success(await attempt(app, `DELETE FROM ${t(table)}`)).rowCount).toBe(0);
        });
      },
    );

    describe('through crossBrandSql on an app-role pool of one connection', () => {
      let dataSource: DataSource;

      beforeAll(async () => {
        dataSource = createDataSource({ url: db.appUrl, poolSize: 1, applicationName: 'rls-e2e-lib' });
        await dataSource.initialize();
      });

      afterAll(async () => {
        await dataSource?.destroy();
      });

      it('reads every brand of a non-money table, none of a money table, and leaves no opt-in behind', async () => {
        const player = await counts('player');
        const deposits = await counts('player_deposit');
        expect(deposits.total).toBeGreaterThan(0);
        const seen = await crossBrandSql<{ brand_id: number; pid: number }>(
          dataSource,
          'rls e2e: cross-brand catalog read',
          `SELECT brand_id, pg_backend_pid() AS pid FROM player`,
        );
        expect(seen.rows).toHaveLength(player.total);
        expect([...new Set(seen.rows.map((r) => r.brand_id))].sort()).toEqual([BRAND_A, brandB].sort());
        const money = await crossBrandSql(
          dataSource,
          'rls e2e: money is never cross-brand',
          `SELECT brand_id FROM player_deposit`,
        );
        expect(money.rows).toEqual([]);
        const [after] = (await dataSource.query(
          `SELECT current_setting('app.cross_brand', true) AS cross, pg_backend_pid() AS pid,
                  (SELECT count(*)::int FROM player) AS n`,
        )) as { cross: string | null; pid: number; n: number }[];
        expect(after.pid).toBe(seen.rows[0].pid);
        expect(after.cross ?? '').toBe('');
        expect(after.n).toBe(0);
      });

      it("relay updates both brands' outbox rows; inside a caller's transaction the opt-in ends with the statement", async () => {
        const outbox = await counts('player_outbox');
        const runner = dataSource.createQueryRunner();
        await runner.startTransaction();
        try {
          const relayed = await crossBrandSql<{ brand_id: number }>(
            runner,
            'rls e2e: outbox relay',
            `UPDATE player_outbox SET attempts = attempts RETURNING brand_id`,
            [],
            'relay',
          );
          expect(relayed.rowCount).toBe(outbox.total);
          expect([...new Set(relayed.rows.map((r) => r.brand_id))].sort()).toEqual([BRAND_A, brandB].sort());
          const player = await crossBrandSql(
            runner,
            'rls e2e: relay does not update players',
            `UPDATE player SET brand_id = brand_id`,
            [],
            'relay',
          );
          expect(player.rowCount).toBe(0);
          const [after] = (await runner.query(
            `SELECT current_setting('app.cross_brand', true) AS cross, (SELECT count(*)::int FROM player_outbox) AS n`,
          )) as { cross: string | null; n: number }[];
          expect(after.cross ?? '').toBe('');
          expect(after.n).toBe(0);
        } finally {
          await runner.rollbackTransaction();
          await runner.release();
        }
      });
    });
  });
});
