/**
 * Outbox backlog for /health and the backlog gauges (seed 000 "API /health
 * checks outbox loop status"): unpublished rows, the age of the oldest one,
 * and the dead-letter count. Each figure is a separate sub-select on status so
 * the status indexes serve them instead of a scan of the published history.
 */
import type { DataSource } from 'typeorm';
import { assertOutboxTable, type OutboxTable } from './event';
import { crossBrandSql } from '@app/database';

export interface OutboxBacklog {
  pending: number;
  oldestPendingAgeSeconds: number;
  dead: number;
}

export async function backlogStatus(dataSource: DataSource, table: OutboxTable): Promise<OutboxBacklog> {
  assertOutboxTable(table);
  const {
    rows: [row],
  } = await crossBrandSql<{ pending: string; oldest: number | string | null; dead: string }>(
    dataSource,
    "outbox backlog counts every brand's rows for health and metrics",
    `SELECT (SELECT count(*) FROM ${table} WHERE status = 'pending') AS pending,
            (SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 FROM ${table} WHERE status = 'pending') AS oldest,
            (SELECT count(*) FROM ${table} WHERE status = 'dead') AS dead`,
    [],
  );
  return {
    pending: Number(row?.pending ?? 0),
    oldestPendingAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)),
    dead: Number(row?.dead ?? 0),
  };
}

/**
 * Puts dead-lettered rows back in the queue (operator action after the cause,
 * e.g. a long Redis outage, is fixed). Returns how many rows were requeued.
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
    `UPDATE ${table} SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL,
            locked_until = NULL, locked_by = NULL
      WHERE status = 'dead' AND ($1::uuid[] IS NULL OR event_id = ANY($1::uuid[]))
      RETURNING id`,
    [eventIds ?? null],
    'relay',
  );
  return rows.length;
}
