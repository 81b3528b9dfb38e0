/**
 * Outbox backlog for /health and the backlog gauges (seed 000 "API /health
 * checks outbox loop status"), and the operator moves of the relay cursor.
 *
 * A row is published once it is at or behind its table's relay cursor
 * (`outbox_relay_cursor`, (tx_id, id) order; migration 1764000005000), so the
 * backlog is the rows after the cursor that are not dead letters: their
 * count, the age of the oldest one, and how many of them wait for an older
 * write transaction still open in the cluster (the relay reads only rows of
 * transactions older than its snapshot's xmin). The backlog walks the
 * (tx_id, id) index from the cursor, never the published history.
 */
import type { DataSource } from 'typeorm';
import { crossBrandSql, CROSS_BRAND_SETTING } from '@app/database';
import { Metrics } from '@app/observability';
import { assertOutboxTable, type OutboxTable } from './event';
import { queryRecords, withLockTransaction } from './sql';

/**
 * SQL predicate "this row of `table` (alias `alias`) has been published": it
 * is at or behind the relay cursor and not a dead letter, or it was marked
 * `published` by the row-claim relay before the cursor existed.
 */
export function publishedSql(
  table: OutboxTable,
  alias: string,
  cursor = `(SELECT c.tx_id, c.id FROM outbox_relay_cursor c WHERE c.outbox_table = '${table}')`,
): string {
  assertOutboxTable(table);
  if (!/^[a-z_]+$/.test(alias)) throw new Error('invalid alias');
  return `(${alias}.status = 'published' OR (${alias}.status <> 'dead' AND (${alias}.tx_id, ${alias}.id) <= ${cursor}))`;
}

/** SQL expression naming a row's state the way operators read it: 'dead', 'published' or 'pending'. */
export function outboxStateSql(table: OutboxTable, alias: string): string {
  return `CASE WHEN ${alias}.status = 'dead' THEN 'dead' WHEN ${publishedSql(table, alias)} THEN 'published' ELSE 'pending' END`;
}

export interface OutboxBacklog {
  /** Rows after the cursor, dead letters excluded. */
  pending: number;
  oldestPendingAgeSeconds: number;
  dead: number;
  /** Pending rows committed but not yet readable by the relay: an older write transaction is still open. */
  waitingOnOpenTransactions: number;
}

export async function backlogStatus(dataSource: DataSource, table: OutboxTable): Promise<OutboxBacklog> {
  assertOutboxTable(table);
  const {
    rows: [row],
  } = await crossBrandSql<{ pending: string; oldest: number | string | null; waiting: string; dead: string }>(
    dataSource,
    "outbox backlog counts every brand's rows for health and metrics",
    `SELECT count(*) AS pending,
            EXTRACT(EPOCH FROM now() - min(o.created_at))::float8 AS oldest,
            count(*) FILTER (WHERE o.tx_id >= pg_snapshot_xmin(pg_current_snapshot())) AS waiting,
            (SELECT count(*) FROM ${table} WHERE status = 'dead') AS dead
       FROM outbox_relay_cursor c
       JOIN ${table} o ON (o.tx_id, o.id) > (c.tx_id, c.id) AND o.status <> 'dead'
      WHERE c.outbox_table = $1`,
    [table],
  );
  return {
    pending: Number(row?.pending ?? 0),
    oldestPendingAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)),
    dead: Number(row?.dead ?? 0),
    waitingOnOpenTransactions: Number(row?.waiting ?? 0),
  };
}

/**
 * Puts dead-lettered rows back in the queue (operator action after the cause,
 * e.g. a long Redis outage, is fixed). A dead row is behind the cursor, so it
 * is renumbered ahead of it: a new id from the table's sequence and this
 * transaction's id as tx_id, the way a producer would write it now (same
 * event_id and envelope). Returns how many rows were requeued.
 */
export async function requeueDeadLetters(
  dataSource: DataSource,
  table: OutboxTable,
  eventIds?: string[],
): Promise<number> {
  assertOutboxTable(table);
  const { rows } = await crossBrandSql<{ id: string }>(
    dataSource,
    'operator requeue of dead-lettered outbox rows',
    `UPDATE ${table} AS o
        SET id = r.new_id, tx_id = pg_current_xact_id(), status = 'pending', attempts = 0,
            next_attempt_at = now(), last_error = NULL
       FROM (SELECT id, nextval(pg_get_serial_sequence('${table}', 'id')) AS new_id
               FROM (SELECT id FROM ${table}
                      WHERE status = 'dead' AND ($1::uuid[] IS NULL OR event_id = ANY($1::uuid[]))
                      ORDER BY id) AS dead) AS r
      WHERE o.id = r.id
      RETURNING o.id`,
    [eventIds ?? null],
    'relay',
  );
  return rows.length;
}

export interface CursorRewind {
  /** False when no row was written at or after `since` behind the cursor: nothing to replay. */
  moved: boolean;
  /** Rows (dead letters excluded) the relay publishes again. */
  replayed: number;
}

/**
 * Moves the relay cursor back so the relay publishes again every row written
 * at or after `since` (its transaction's start time, `created_at`) that it
 * already published: the recovery after a Redis loss (runbook redis-loss.md).
 * Rows are ordered by transaction, not by time, so rows written a little
 * before `since` by later transactions go out again too (at-least-once;
 * consumers dedup on event_id). Dead letters stay dead. The cursor never
 * moves forward here. Waits for the cursor lock, so a batch in flight
 * finishes first.
 */
export async function rewindRelayCursor(
  dataSource: DataSource,
  table: OutboxTable,
  since: Date,
): Promise<CursorRewind> {
  assertOutboxTable(table);
  if (!(since instanceof Date) || Number.isNaN(since.getTime()))
    throw new Error('since must be a valid time');
  Metrics.crossBrandAccess().inc({ access: 'relay' });
  return withLockTransaction(dataSource, { [CROSS_BRAND_SETTING]: 'relay' }, async (runner) => {
    const [cursor] = await queryRecords<{ tx_id: string; id: string }>(
      runner,
      `SELECT tx_id::text AS tx_id, id::text AS id FROM outbox_relay_cursor WHERE outbox_table = $1 FOR UPDATE`,
      [table],
    );
    if (!cursor) throw new Error(`no relay cursor for ${table}`);
    // The first row, in relay order, written at or after `since` and already behind the cursor.
    // brand-scope: cross-brand operator replay of every brand's published outbox rows after a Redis loss
    const [first] = await queryRecords<{ tx_id: string; id: string }>(
      runner,
      `SELECT o.tx_id::text AS tx_id, o.id::text AS id FROM ${table} o
        WHERE o.created_at >= $1 AND (o.tx_id, o.id) <= ($2::xid8, $3::bigint)
        ORDER BY o.tx_id, o.id LIMIT 1`,
      [since, cursor.tx_id, cursor.id],
    );
    if (!first) return { moved: false, replayed: 0 };
    // Just before that row: rows of one transaction share created_at, so none of them is left behind.
    const target = { tx_id: first.tx_id, id: (BigInt(first.id) - 1n).toString() };
    // brand-scope: cross-brand count of the rows the replay publishes again, every brand
    const [{ n }] = await queryRecords<{ n: string }>(
      runner,
      `SELECT count(*) AS n FROM ${table}
        WHERE (tx_id, id) > ($1::xid8, $2::bigint) AND (tx_id, id) <= ($3::xid8, $4::bigint) AND status <> 'dead'`,
      [target.tx_id, target.id, cursor.tx_id, cursor.id],
    );
    await queryRecords(
      runner,
      `UPDATE outbox_relay_cursor SET tx_id = $2::xid8, id = $3, updated_at = now() WHERE outbox_table = $1`,
      [table, target.tx_id, target.id],
    );
    return { moved: true, replayed: Number(n) };
  });
}
