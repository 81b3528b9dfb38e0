/**
 * Outbox relay cursor (issue #4): the relay no longer writes each outbox row
 * it publishes. Every row carries the id of the transaction that wrote it
 * (`tx_id xid8`, default `pg_current_xact_id()`), and one row per outbox table
 * in `outbox_relay_cursor` says how far the relay got, in (tx_id, id) order.
 * A row is published when it is at or behind the cursor; `status` keeps only
 * `dead` (dead-lettered, never published) apart from the rest. The relay
 * reads only rows whose transaction is older than its snapshot's xmin, so
 * every transaction behind what it reads has finished: no row can later
 * commit behind the cursor, whatever order producers commit in.
 *
 * Existing rows:
 *   - they all get tx_id '1', older than any real transaction (a constant
 *     default is stored once in the catalog, no table rewrite), then the
 *     default becomes pg_current_xact_id() for new rows;
 *   - rows still `pending` are renumbered to this migration's transaction
 *     (tx_id = pg_current_xact_id()), so they sort after the history;
 *   - the cursor starts at ('1', max id): every `published` and `dead` row is
 *     behind it, every pending row ahead, and so is any row written later,
 *     even by a transaction that began before this migration (its xid > 1).
 *
 * The lease columns (locked_until, locked_by) of the row-claim relay go: the
 * cursor lock replaces them, and a worker of the previous version still
 * running after this migration fails on them instead of republishing every
 * row the new relay leaves `pending` behind the cursor. The pending index goes
 * too (it would index every row forever); (tx_id, id) serves the relay.
 *
 * The cursor table has no brand_id (one row per outbox table, not per brand)
 * and no row security; the migrate command lets the app role only SELECT and
 * UPDATE it (grantAppRole).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export const OUTBOX_CURSOR_TABLES = ['player_outbox', 'agent_outbox'] as const;

export class OutboxRelayCursor1764000005000 implements MigrationInterface {
  name = 'OutboxRelayCursor1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_relay_cursor (
        outbox_table text PRIMARY KEY,
        tx_id xid8 NOT NULL,
        id bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outbox_relay_cursor_table_check CHECK (outbox_table IN ('player_outbox', 'agent_outbox'))
      )`);
    for (const table of OUTBOX_CURSOR_TABLES) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN tx_id xid8 NOT NULL DEFAULT '1'`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN tx_id SET DEFAULT pg_current_xact_id()`);
      // brand-scope: cross-brand migration renumbers every brand's unpublished rows ahead of the cursor
      await q.query(`UPDATE ${table} SET tx_id = pg_current_xact_id() WHERE status = 'pending'`);
      await q.query(`CREATE INDEX ${table}_relay_idx ON ${table} (tx_id, id)`);
      await q.query(`DROP INDEX ${table}_pending_idx`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN locked_until, DROP COLUMN locked_by`);
      await q.query(
        `INSERT INTO outbox_relay_cursor (outbox_table, tx_id, id)
         SELECT $1, '1', coalesce(max(id), 0) FROM ${table} WHERE tx_id = '1'`,
        [table],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of OUTBOX_CURSOR_TABLES) {
      // What the cursor passed was published: say so in the status the row-claim relay reads.
      // brand-scope: cross-brand migration revert marks every brand's rows behind the cursor published
      await q.query(
        `UPDATE ${table} AS o SET status = 'published', published_at = coalesce(o.published_at, c.updated_at)
           FROM outbox_relay_cursor c
          WHERE c.outbox_table = $1 AND o.status = 'pending' AND (o.tx_id, o.id) <= (c.tx_id, c.id)`,
        [table],
      );
      await q.query(
        `ALTER TABLE ${table} ADD COLUMN locked_until timestamptz NULL, ADD COLUMN locked_by text NULL`,
      );
      await q.query(
        `CREATE INDEX ${table}_pending_idx ON ${table} (next_attempt_at, id) WHERE status = 'pending'`,
      );
      await q.query(`DROP INDEX ${table}_relay_idx`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN tx_id`);
    }
    await q.query(`DROP TABLE outbox_relay_cursor`);
  }
}
