/**
 * `outbox-replay`: after a Redis loss (runbook redis-loss.md) the stream
 * entries the consumers had not read yet are gone, while the outbox says they
 * were published (they are behind the relay cursor). This moves each table's
 * relay cursor back to just before the first row written at or after
 * `--since`, so the workers publish those rows again, in order. Publishing
 * stays at-least-once: consumers dedupe on event_id. Dead letters stay dead
 * (outbox-dead-letters requeues them). The cursor never moves forward here.
 */
import { createDataSource } from '@app/database';
import { OUTBOX_TABLES, type OutboxTable, rewindRelayCursor } from '@app/outbox';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../command';
import { databaseName, databaseUrl } from './database-url';
import { routeLibraryLogs } from './ops-logger';

/** An ISO-8601 time with an explicit offset (`Z` or `±hh:mm`), so nobody replays from a local-time guess. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseSince(value: string | true | undefined): Date {
  if (
    value === undefined ||
    value === true ||
    !ISO_WITH_ZONE.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new UsageError('--since takes an ISO-8601 time with its zone, e.g. 2026-01-31T09:15:00Z');
  }
  return new Date(value);
}

function parseTables(value: string | true | undefined): OutboxTable[] {
  if (value === undefined) return [...OUTBOX_TABLES];
  if (value === true || !(OUTBOX_TABLES as readonly string[]).includes(value)) {
    throw new UsageError(`--table must be one of ${OUTBOX_TABLES.join(', ')}`);
  }
  return [value as OutboxTable];
}

export const outboxReplay: Command = {
  summary: 'publish outbox rows again from a point in time (after a Redis loss): moves the relay cursor back',
  usage: [
    'outbox-replay --since <ISO-8601 time with zone> [--table player_outbox|agent_outbox]',
    '  Reads DATABASE_URL. For both outbox tables, or --table, moves the relay cursor back to just',
    '  before the first published row written at or after --since; the workers then publish every',
    '  row after it again (a few rows written slightly earlier may go out again too; consumers',
    '  dedupe on event_id). Dead letters are not replayed. Never moves a cursor forward.',
  ].join('\n'),
  async run({ args, env, out, err }) {
    const flags = parseFlags(args, ['since', 'table']);
    const since = parseSince(flags.since);
    const tables = parseTables(flags.table);
    if (since.getTime() > Date.now()) throw new UsageError('--since is in the future');

    routeLibraryLogs(err);
    const url = databaseUrl(env);
    const ds = createDataSource({ url, poolSize: 2, applicationName: 'servers-v2-ops' });
    await ds.initialize();
    try {
      out(`outbox-replay: database ${databaseName(url)}, since ${since.toISOString()}`);
      for (const table of tables) {
        const { moved, replayed } = await rewindRelayCursor(ds, table, since);
        out(
          moved
            ? `  ${table}: cursor moved back, ${replayed} row(s) will be published again`
            : `  ${table}: nothing published since then, cursor unchanged`,
        );
      }
      return 0;
    } finally {
      await ds.destroy();
    }
  },
};
