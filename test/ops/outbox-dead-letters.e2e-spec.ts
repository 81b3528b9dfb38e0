/**
 * `outbox-dead-letters` (outbox dead-letter runbook; seeds 000/001 outbox,
 * CONTRACTS §6) run as the built CLI on a real PostgreSQL: it lists the
 * parked rows of both outbox tables and requeues all of them, or only the
 * named event ids, so the worker publishes them again.
 */
import { randomUUID } from 'node:crypto';
import { cliSuiteDatabase, runOps } from './support';

describe('ops outbox-dead-letters', () => {
  jest.setTimeout(60_000);
  const suite = cliSuiteDatabase('ops_dead_letters');
  const run = (...args: string[]) =>
    runOps(['outbox-dead-letters', ...args], { DATABASE_URL: suite.db.appUrl });

  async function deadRow(table: string, error: string): Promise<string> {
    const eventId = randomUUID();
    await suite.sql.query(
      `INSERT INTO ${table} (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, status, attempts, last_error)
       VALUES ($1, 1, 'AGENT_UPDATED', 'agent', '7', $2, 'dead', 10, $3)`,
      [eventId, JSON.stringify({ event_id: eventId, brand_id: 1 }), error],
    );
    return eventId;
  }

  async function statusOf(table: string, eventId: string): Promise<{ status: string; attempts: number }> {
    const { rows } = await suite.sql.query(`SELECT status, attempts FROM ${table} WHERE event_id = $1`, [
      eventId,
    ]);
    return rows[0];
  }

  it('shows its usage with --help and refuses bad options', async () => {
    expect((await run('--help')).stdout).toContain('usage: outbox-dead-letters');
    expect((await run('--table', 'wallet_outbox')).code).toBe(2);
    expect((await run('--requeue', '--event-id', 'not-a-uuid')).code).toBe(2);
    const idWithoutRequeue = await run('--event-id', randomUUID());
    expect(idWithoutRequeue.code).toBe(2);
    expect(idWithoutRequeue.stderr).toContain('--event-id is only used with --requeue');
  });

  it('lists dead rows per table, then requeues one by id and the rest of a table', async () => {
    const p1 = await deadRow('player_outbox', 'stream write failed: Connection is closed.');
    const p2 = await deadRow('player_outbox', 'stream write failed: timeout');
    const a1 = await deadRow('agent_outbox', 'stream write failed: READONLY');

    const listed = await run();
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('  player_outbox: 2 dead row(s)');
    expect(listed.stdout).toContain('  agent_outbox: 1 dead row(s)');
    expect(listed.stdout).toContain(`${p1} AGENT_UPDATED brand=1 attempts=10`);
    expect(listed.stdout).toContain('error="stream write failed: READONLY"');

    const one = await run('--requeue', '--table', 'player_outbox', '--event-id', p1);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('player_outbox: requeued 1 dead row(s)');
    expect(await statusOf('player_outbox', p1)).toEqual({ status: 'pending', attempts: 0 });
    expect(await statusOf('player_outbox', p2)).toEqual({ status: 'dead', attempts: 10 });

    const limited = await run('--table', 'player_outbox', '--limit', '1');
    expect(limited.stdout).toContain('player_outbox: 1 dead row(s)');
    expect(limited.stdout).not.toContain('agent_outbox');

    const rest = await run('--requeue');
    expect(rest.stdout).toContain('player_outbox: requeued 1 dead row(s)');
    expect(rest.stdout).toContain('agent_outbox: requeued 1 dead row(s)');
    expect(await statusOf('agent_outbox', a1)).toEqual({ status: 'pending', attempts: 0 });
    expect((await run()).stdout).toContain('player_outbox: 0 dead row(s)');
  });
});
