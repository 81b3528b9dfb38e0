/**
 * `outbox-dead-letters`: the operator side of the transactional outbox
 * (seeds 000/001, CONTRACTS §6). A row that failed OUTBOX_MAX_ATTEMPTS times
 * is parked as `dead`, counted on /health and passed by the relay cursor;
 * this lists the parked rows and, with --requeue, puts them back in the queue
 * through the outbox lib's requeueDeadLetters (renumbered ahead of the relay
 * cursor, same event_id and envelope) once the cause (a long Redis outage, a
 * bad deploy) is fixed. Publishing stays at-least-once: consumers dedupe on
 * event_id.
 */
import type { DataSource } from 'typeorm';
import { createDataSource, crossBrandSql, quoteIdent } from '@app/database';
import { OUTBOX_TABLES, type OutboxTable, requeueDeadLetters } from '@app/outbox';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../command';
import { databaseName, databaseUrl } from './database-url';
import { routeLibraryLogs } from './ops-logger';
import { intFlag } from './ops-http';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REASON = 'outbox-dead-letters: operator review of dead-lettered outbox rows across every brand';

interface DeadRow {
  event_id: string;
  event_type: string;
  brand_id: number;
  attempts: number;
  last_error: string | null;
  created_at: Date;
}

function parseTables(value: string | true | undefined): OutboxTable[] {
  if (value === undefined) return [...OUTBOX_TABLES];
  if (value === true || !(OUTBOX_TABLES as readonly string[]).includes(value)) {
    throw new UsageError(`--table must be one of ${OUTBOX_TABLES.join(', ')}`);
  }
  return [value as OutboxTable];
}

function parseEventIds(value: string | true | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const ids =
    value === true
      ? []
      : value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (ids.length === 0 || ids.some((id) => !UUID.test(id))) {
    throw new UsageError('--event-id takes one or more comma-separated UUIDs');
  }
  return ids;
}

async function listDead(
  ds: DataSource,
  table: OutboxTable,
  limit: number,
): Promise<{ rows: DeadRow[]; total: number }> {
  // brand-scope: cross-brand listing of dead-lettered outbox rows for the operator
  const { rows } = await crossBrandSql<DeadRow>(
    ds,
    REASON,
    `SELECT event_id, event_type, brand_id, attempts, last_error, created_at FROM ${quoteIdent(table)}
      WHERE status = 'dead' ORDER BY id LIMIT $1`,
    [limit],
  );
  // brand-scope: cross-brand dead-letter count for the operator
  const counted = await crossBrandSql<{ n: string }>(
    ds,
    REASON,
    `SELECT count(*) AS n FROM ${quoteIdent(table)} WHERE status = 'dead'`,
  );
  return { rows, total: Number(counted.rows[0]?.n ?? 0) };
}

export const outboxDeadLetters: Command = {
  summary: 'list dead-lettered outbox rows, or put them back in the queue (--requeue)',
  usage: [
    'outbox-dead-letters [--table player_outbox|agent_outbox] [--limit N] [--requeue [--event-id <uuid,...>]]',
    '  Reads DATABASE_URL. Without --requeue, lists dead rows (event id, type, brand, attempts,',
    '  last error) of both outbox tables, or of --table. With --requeue, puts them back in the queue',
    '  (pending, attempts 0, after every row written so far; only the given --event-id rows when set)',
    '  so the worker publishes them again.',
  ].join('\n'),
  async run({ args, env, out, err }) {
    const flags = parseFlags(args, ['table', 'limit', 'requeue', 'event-id']);
    const tables = parseTables(flags.table);
    const limit = intFlag(flags, 'limit', 50, 1, 10_000);
    const eventIds = parseEventIds(flags['event-id']);
    const requeue = flags.requeue !== undefined;
    if (requeue && flags.requeue !== true) throw new UsageError('--requeue takes no value');
    if (eventIds && !requeue) throw new UsageError('--event-id is only used with --requeue');

    routeLibraryLogs(err);
    const url = databaseUrl(env);
    const ds = createDataSource({ url, poolSize: 2, applicationName: 'servers-v2-ops' });
    await ds.initialize();
    try {
      out(`outbox-dead-letters: database ${databaseName(url)}`);
      for (const table of tables) {
        if (requeue) {
          const n = await requeueDeadLetters(ds, table, eventIds);
          out(`  ${table}: requeued ${n} dead row(s)`);
          continue;
        }
        const { rows, total } = await listDead(ds, table, limit);
        out(`  ${table}: ${total} dead row(s)${total > rows.length ? ` (showing ${rows.length})` : ''}`);
        for (const r of rows) {
          const error = (r.last_error ?? '').replace(/\s+/g, ' ').slice(0, 160);
          out(
            `    ${r.event_id} ${r.event_type} brand=${r.brand_id} attempts=${r.attempts} ` +
              `created=${new Date(r.created_at).toISOString()} error=${JSON.stringify(error)}`,
          );
        }
      }
      return 0;
    } finally {
      await ds.destroy();
    }
  },
};
