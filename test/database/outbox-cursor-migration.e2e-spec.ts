/**
 * Migration OutboxRelayCursor1764000005000 on a database that already has
 * outbox history (issue #4): rows the row-claim relay published or
 * dead-lettered end up behind the new relay cursor, rows still pending ahead
 * of it, and so does a row written afterwards by a transaction that began
 * before the migration. The revert marks what the cursor passed as
 * `published`, so the row-claim relay does not publish it again.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { revertLastMigration, runMigrations } from '@app/database';
import { ALL_MIGRATIONS } from '../../migrations';
import { createEmptyDatabase, type SuiteDatabase } from '../support/db';

const BEFORE_CURSOR = ALL_MIGRATIONS.slice(0, -1);

describe('migration OutboxRelayCursor1764000005000 on existing outbox rows', () => {
  let db: SuiteDatabase;
  let sql: Client;

  beforeAll(async () => {
    db = await createEmptyDatabase('outbox_cursor_migration');
    expect(new ALL_MIGRATIONS[ALL_MIGRATIONS.length - 1]().name).toBe('OutboxRelayCursor1764000005000');
    await runMigrations(db.url, BEFORE_CURSOR);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  async function insert(client: Client, table: string, status: string): Promise<string> {
    const eventId = randomUUID();
    await client.query(
      `INSERT INTO ${table} (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, status, published_at)
       VALUES ($1, 1, 'X', 'player', '1', $2, $3, CASE WHEN $3 = 'published' THEN now() END)`,
      [eventId, JSON.stringify({ event_id: eventId }), status],
    );
    return eventId;
  }

  /** Event ids after the relay cursor of `table`, in relay order. */
  async function ahead(table: string): Promise<string[]> {
    const { rows } = await sql.query(
      `SELECT o.event_id FROM ${table} o, outbox_relay_cursor c
        WHERE c.outbox_table = $1 AND (o.tx_id, o.id) > (c.tx_id, c.id) ORDER BY o.tx_id, o.id`,
      [table],
    );
    return rows.map((r) => r.event_id);
  }

  it('puts published and dead rows behind the cursor and pending ones (and later writes) ahead of it', async () => {
    // Interleaved, as the row-claim relay leaves them: a pending row (backing off) before published ones.
    const published1 = await insert(sql, 'player_outbox', 'published');
    const pending1 = await insert(sql, 'player_outbox', 'pending');
    const published2 = await insert(sql, 'player_outbox', 'published');
    const dead = await insert(sql, 'player_outbox', 'dead');
    const pending2 = await insert(sql, 'player_outbox', 'pending');
    // A producer transaction that began before the migration and writes its row after it.
    const early = new Client({ connectionString: db.url });
    await early.connect();
    try {
      await early.query('BEGIN');
      await early.query('SELECT pg_current_xact_id()');

      expect(await runMigrations(db.url)).toEqual(['OutboxRelayCursor1764000005000']);
      const late = await insert(early, 'player_outbox', 'pending');
      await early.query('COMMIT');

      // Relay order is commit-safe (tx_id, id): the early transaction's row before the migration's.
      expect(await ahead('player_outbox')).toEqual([late, pending1, pending2]);
      expect(await ahead('agent_outbox')).toEqual([]);
      const { rows } = await sql.query(`SELECT event_id, status FROM player_outbox ORDER BY id`);
      expect(rows).toEqual([
        { event_id: published1, status: 'published' },
        { event_id: pending1, status: 'pending' },
        { event_id: published2, status: 'published' },
        { event_id: dead, status: 'dead' },
        { event_id: pending2, status: 'pending' },
        { event_id: late, status: 'pending' },
      ]);
    } finally {
      await early.end();
    }
  });

  it('reverts to the row-claim shape, marking what the cursor passed as published', async () => {
    // The relay published the early transaction's row and pending1 (the cursor moved past them).
    await sql.query(
      `UPDATE outbox_relay_cursor SET (tx_id, id) = (SELECT tx_id, id FROM player_outbox WHERE status = 'pending' ORDER BY id LIMIT 1)
        WHERE outbox_table = 'player_outbox'`,
    );
    expect(await revertLastMigration(db.url)).toBe('OutboxRelayCursor1764000005000');
    const { rows } = await sql.query(
      `SELECT status, published_at IS NOT NULL AS stamped FROM player_outbox ORDER BY id`,
    );
    expect(rows.map((r) => [r.status, r.stamped])).toEqual([
      ['published', true],
      ['published', true],
      ['published', true],
      ['dead', false],
      ['pending', false],
      ['published', true],
    ]);
    const columns = await sql.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'player_outbox' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((r) => r.column_name)).toEqual(
      expect.arrayContaining(['locked_until', 'locked_by', 'published_at']),
    );
    expect(columns.rows.map((r) => r.column_name)).not.toContain('tx_id');
    const tables = await sql.query(`SELECT to_regclass('outbox_relay_cursor') AS t`);
    expect(tables.rows[0].t).toBeNull();
    // and forward again
    expect(await runMigrations(db.url)).toEqual(['OutboxRelayCursor1764000005000']);
    expect((await ahead('player_outbox')).length).toBe(1);
  });
});
