/**
 * `backfill-default-brand` (issue 7; ADR-009 "backfill all existing rows
 * into a single default brand") run as the built CLI on a real, migrated
 * PostgreSQL: it (re)creates the default brand, assigns brand-less rows where
 * the schema allows, leaves append-only audit rows and published events
 * alone, reports dangling brand ids without moving them, changes nothing in
 * --dry-run, and is idempotent.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { BRAND_SCOPED_TABLES } from '@app/database';
import { createEmptyDatabase, createSuiteDatabase } from '../support/db';
import { cliSuiteDatabase, runOps } from './support';

describe('ops backfill-default-brand', () => {
  jest.setTimeout(90_000);
  const suite = cliSuiteDatabase('ops_backfill');

  const backfill = (...args: string[]) =>
    runOps(['backfill-default-brand', ...args], { MIGRATION_DATABASE_URL: suite.db.ownerUrl });

  async function outboxRow(table: string, brandId: number, status = 'pending'): Promise<string> {
    const eventId = randomUUID();
    const envelope = {
      event_id: eventId,
      event_type: 'PLAYER_REGISTERED',
      schema_version: 2,
      brand_id: brandId,
      aggregate_type: 'player',
      aggregate_id: '1',
      producer: 'player_service',
      occurred_at: new Date().toISOString(),
      request_id: 'req-1',
      payload: {},
    };
    await suite.sql.query(
      `INSERT INTO ${table} (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, status, published_at)
       VALUES ($1, $2, 'PLAYER_REGISTERED', 'player', '1', $3, $4, CASE WHEN $4 = 'published' THEN now() END)`,
      [eventId, brandId, JSON.stringify(envelope), status],
    );
    return eventId;
  }

  async function outboxBrand(table: string, eventId: string): Promise<{ column: number; envelope: number }> {
    const { rows } = await suite.sql.query(`SELECT brand_id, envelope FROM ${table} WHERE event_id = $1`, [
      eventId,
    ]);
    return { column: rows[0].brand_id, envelope: rows[0].envelope.brand_id };
  }

  it('shows its usage with --help', async () => {
    const result = await backfill('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: backfill-default-brand [--dry-run]');
  });

  it('verifies a clean database: the default brand is there and every brand-scoped table is reported', async () => {
    const result = await backfill();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('default brand: present (id 1)');
    for (const table of BRAND_SCOPED_TABLES) expect(result.stdout).toContain(`  ${table}: 0 row(s)`);
    expect(result.stdout).toContain(
      `${BRAND_SCOPED_TABLES.length} brand-scoped table(s) checked; 0 row(s) assigned to default`,
    );
  });

  it('creates a missing default brand (not in --dry-run) and finds it on the next run', async () => {
    await suite.sql.query(`DELETE FROM brand WHERE brand_code = 'default'`);

    const dry = await backfill('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('default brand: missing; would create it');
    expect((await suite.sql.query(`SELECT 1 FROM brand WHERE brand_code = 'default'`)).rowCount).toBe(0);

    const created = await backfill();
    expect(created.code).toBe(0);
    const { rows } = await suite.sql.query(
      `SELECT id, name, default_currency, status FROM brand WHERE brand_code = 'default'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Default', default_currency: 'KRW', status: 'enabled' });
    expect(created.stdout).toContain(`default brand: created (id ${rows[0].id})`);

    const again = await backfill();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`default brand: present (id ${rows[0].id})`);
    expect((await suite.sql.query(`SELECT 1 FROM brand WHERE brand_code = 'default'`)).rowCount).toBe(1);
  });

  it('assigns unpublished brand-less outbox rows (column and envelope) to default, keeps published ones, and is idempotent', async () => {
    const { rows } = await suite.sql.query(`SELECT id FROM brand WHERE brand_code = 'default'`);
    const defaultId: number = rows[0].id;
    const { rows: alpha } = await suite.sql.query(
      `INSERT INTO brand (brand_code, name, default_currency) VALUES ('alpha', 'Alpha', 'KRW') RETURNING id`,
    );
    const alphaId: number = alpha[0].id;
    const orphanA = await outboxRow('player_outbox', 0);
    const orphanB = await outboxRow('player_outbox', 0, 'dead');
    const published = await outboxRow('player_outbox', 0, 'published');
    const branded = await outboxRow('player_outbox', alphaId);

    const dry = await backfill('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `player_outbox: 4 row(s) [alpha(${alphaId}): 1]; 3 without a brand: would assign 2 to default, keep 1 already published`,
    );
    expect(await outboxBrand('player_outbox', orphanA)).toEqual({ column: 0, envelope: 0 });

    const run = await backfill();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 without a brand: assigned 2 to default, kept 1 already published');
    expect(run.stdout).toContain('2 row(s) assigned to default');
    expect(await outboxBrand('player_outbox', orphanA)).toEqual({ column: defaultId, envelope: defaultId });
    expect(await outboxBrand('player_outbox', orphanB)).toEqual({ column: defaultId, envelope: defaultId });
    expect(await outboxBrand('player_outbox', published)).toEqual({ column: 0, envelope: 0 });
    expect(await outboxBrand('player_outbox', branded)).toEqual({ column: alphaId, envelope: alphaId });

    const again = await backfill();
    expect(again.code).toBe(0);
    const perBrand = [
      [defaultId, `default(${defaultId}): 2`],
      [alphaId, `alpha(${alphaId}): 1`],
    ] as const;
    const listed = [...perBrand].sort((a, b) => a[0] - b[0]).map(([, text]) => text);
    expect(again.stdout).toContain(`player_outbox: 4 row(s) [${listed.join(', ')}]`);
    expect(again.stdout).toContain('1 without a brand: assigned 0 to default, kept 1 already published');
    expect(again.stdout).toContain('0 row(s) assigned to default');
  });

  it('leaves brand 0 on the append-only audit tables alone and reports it', async () => {
    await suite.sql.query(
      `INSERT INTO recovery_audit (brand_id, subject_type, action, outcome) VALUES (0, 'player', 'REQUEST', 'BRAND_UNRESOLVED')`,
    );
    const result = await backfill();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'recovery_audit: 1 row(s); 1 without a brand (append-only audit: "no brand resolved", kept as is)',
    );
    expect((await suite.sql.query(`SELECT brand_id FROM recovery_audit`)).rows).toEqual([{ brand_id: 0 }]);
  });

  it('reports rows naming a brand that does not exist, never moves them, and exits 1', async () => {
    const dangling = await outboxRow('agent_outbox', 999);
    const result = await backfill();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('agent_outbox: 1 row(s) [unknown brand 999: 1]; 1 dangling');
    expect(result.stderr).toContain(
      'backfill-default-brand: agent_outbox: 1 row(s) name a brand that does not exist',
    );
    expect(await outboxBrand('agent_outbox', dangling)).toEqual({ column: 999, envelope: 999 });
    await suite.sql.query(`DELETE FROM agent_outbox WHERE event_id = $1`, [dangling]);
    expect((await backfill()).code).toBe(0);
  });

  it('refuses to create a default brand whose code would prefix-collide with an existing one', async () => {
    const other = await createSuiteDatabase('ops_backfill_prefix');
    const client = new Client({ connectionString: other.url });
    await client.connect();
    try {
      await client.query(`UPDATE brand SET brand_code = 'def' WHERE brand_code = 'default'`);
      const result = await runOps(['backfill-default-brand'], { MIGRATION_DATABASE_URL: other.ownerUrl });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'default brand: missing, and cannot be created: brand_code "def" prefix-collides',
      );
      expect((await client.query(`SELECT brand_code FROM brand`)).rows).toEqual([{ brand_code: 'def' }]);
    } finally {
      await client.end();
      await other.drop();
    }
  });

  it('asks for migrate on a database without the schema', async () => {
    const empty = await createEmptyDatabase('ops_backfill_empty');
    try {
      const result = await runOps(['backfill-default-brand'], { MIGRATION_DATABASE_URL: empty.ownerUrl });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('has no brand table; run migrate first');
    } finally {
      await empty.drop();
    }
  });
});
