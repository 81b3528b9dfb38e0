/**
 * `outbox-replay` (Redis-loss runbook; CONTRACTS §6 at-least-once) run as the
 * built CLI on a real PostgreSQL: after a Redis loss it moves the relay cursor
 * of both outbox tables (or --table) back to just before the first published
 * row written at or after --since, so the workers publish those rows again;
 * it never moves a cursor forward and leaves dead letters alone.
 */
import { randomUUID } from 'node:crypto';
import { publishedSql } from '@app/outbox';
import { cliSuiteDatabase, runOps } from './support';

describe('ops outbox-replay', () => {
  jest.setTimeout(60_000);
  const suite = cliSuiteDatabase('ops_outbox_replay');
  const run = (...args: string[]) => runOps(['outbox-replay', ...args], { DATABASE_URL: suite.db.appUrl });

  async function row(table: string, minutesAgo: number, status = 'pending'): Promise<string> {
    const eventId = randomUUID();
    await suite.sql.query(
      `INSERT INTO ${table} (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, status, created_at)
       VALUES ($1, 1, 'AGENT_UPDATED', 'agent', '7', $2, $3, now() - $4 * interval '1 minute')`,
      [eventId, JSON.stringify({ event_id: eventId, brand_id: 1 }), status, minutesAgo],
    );
    return eventId;
  }

  /** What the relay does after publishing everything: the cursor to the last row. */
  async function publishAll(table: string): Promise<void> {
    await suite.sql.query(
      `UPDATE outbox_relay_cursor SET (tx_id, id) = (SELECT o.tx_id, o.id FROM ${table} o ORDER BY o.tx_id DESC, o.id DESC LIMIT 1)
        WHERE outbox_table = $1`,
      [table],
    );
  }

  async function unpublished(table: 'player_outbox' | 'agent_outbox'): Promise<string[]> {
    const { rows } = await suite.sql.query(
      `SELECT o.event_id FROM ${table} o WHERE NOT ${publishedSql(table, 'o')} AND o.status <> 'dead' ORDER BY o.tx_id, o.id`,
    );
    return rows.map((r) => r.event_id);
  }

  it('shows its usage with --help and refuses bad options', async () => {
    expect((await run('--help')).stdout).toContain('usage: outbox-replay');
    expect((await run()).code).toBe(2);
    expect((await run('--since', '2026-01-31 09:15')).code).toBe(2);
    expect((await run('--since', '2026-01-31T09:15:00')).code).toBe(2);
    expect((await run('--since', '2026-01-31T09:15:00Z', '--table', 'wallet_outbox')).code).toBe(2);
    const future = await run('--since', new Date(Date.now() + 3_600_000).toISOString());
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('--since is in the future');
  });

  it('moves the cursor back to the first row written since the given time, per table, and never forward', async () => {
    const old = await row('player_outbox', 60);
    const recent1 = await row('player_outbox', 5);
    const dead = await row('player_outbox', 4, 'dead');
    const recent2 = await row('player_outbox', 3);
    const agentOld = await row('agent_outbox', 60);
    await publishAll('player_outbox');
    await publishAll('agent_outbox');
    expect(await unpublished('player_outbox')).toEqual([]);

    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const replay = await run('--since', since);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`outbox-replay: database ${suite.db.name}, since ${since}`);
    expect(replay.stdout).toContain('player_outbox: cursor moved back, 2 row(s) will be published again');
    expect(replay.stdout).toContain('agent_outbox: nothing published since then, cursor unchanged');
    // The recent rows are ahead of the cursor again, in relay order; the old row and the dead letter are not.
    expect(await unpublished('player_outbox')).toEqual([recent1, recent2]);
    expect(await unpublished('agent_outbox')).toEqual([]);
    expect([old, dead, agentOld]).toHaveLength(3);

    // An earlier --since on one table moves only that cursor, further back.
    const again = await run(
      '--since',
      new Date(Date.now() - 2 * 3_600_000).toISOString(),
      '--table',
      'player_outbox',
    );
    expect(again.stdout).toContain('player_outbox: cursor moved back, 1 row(s) will be published again');
    expect(again.stdout).not.toContain('agent_outbox');
    expect(await unpublished('player_outbox')).toEqual([old, recent1, recent2]);

    // A later --since would mean moving forward: the cursor stays.
    const later = await run(
      '--since',
      new Date(Date.now() - 60_000).toISOString(),
      '--table',
      'player_outbox',
    );
    expect(later.stdout).toContain('player_outbox: nothing published since then, cursor unchanged');
    expect(await unpublished('player_outbox')).toEqual([old, recent1, recent2]);
  });
});
