// The outbox poller publishes at-least-once to events:player (seeds 000/001 "Background Work", CONTRACTS §4/§6).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  backlogStatus,
  OutboxPoller,
  outboxStateSql,
  requeueDeadLetters,
  rewindRelayCursor,
  type OutboxPollerOptions,
} from '@app/outbox';
import {
  DEAD_REDIS_URL,
  event,
  metricValue,
  silentLogger,
  sleep,
  startHarness,
  streamEvents,
  waitFor,
  writeEvents,
  type Harness,
} from './harness';
import { startTcpProxy, type TcpProxy } from '../player-worker/harness';
import { suiteRedisUrl } from '../support/redis';

const STREAM = 'events:player';
const TABLE = 'player_outbox';

const LABEL = 'outbox-poller';

describe('OutboxPoller', () => {
  let h: Harness;
  let deadRedis: Redis;

  beforeAll(async () => {
    h = await startHarness(LABEL);
    deadRedis = new Redis(DEAD_REDIS_URL, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 200,
      disconnectTimeout: 10,
    });
    deadRedis.on('error', () => undefined);
  });
  afterAll(async () => {
    deadRedis.disconnect();
    await h.close();
  });
  beforeEach(async () => {
    await h.redis.del(STREAM);
    await h.dataSource.query(`TRUNCATE ${TABLE}`);
  });

  const poller = (overrides: Partial<OutboxPollerOptions> = {}) =>
    new OutboxPoller({
      dataSource: h.appDataSource,
      redis: h.redis,
      table: TABLE,
      stream: STREAM,
      service: 'player_worker',
      workerId: 'worker-a',
      batchSize: 10,
      pollIntervalMs: 20,
      leaseSeconds: 30,
      maxAttempts: 5,
      logger: silentLogger(),
      backoff: { baseMs: 200, capMs: 1000 },
      ...overrides,
    });

  /** Each row with its state: published = behind the relay cursor (outboxStateSql). */
  const rows = (): Promise<
    Array<{ event_id: string; state: string; attempts: number; last_error: string | null }>
  > =>
    h.dataSource.query(
      `SELECT event_id, ${outboxStateSql(TABLE, 'o')} AS state, attempts, last_error FROM ${TABLE} o ORDER BY id`,
    );

  /** A second session, as a producer or another worker would have. */
  async function session(): Promise<Client> {
    const client = new Client({ connectionString: (h.dataSource.options as { url: string }).url });
    await client.connect();
    return client;
  }

  async function insertEvent(client: Client, e: ReturnType<typeof event>): Promise<void> {
    await client.query(
      `INSERT INTO ${TABLE} (brand_id, event_id, event_type, aggregate_type, aggregate_id, envelope)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [e.brand_id, e.event_id, e.event_type, e.aggregate_type, e.aggregate_id, JSON.stringify(e)],
    );
  }

  const streamedIds = async (): Promise<string[]> =>
    (await streamEvents(h.redis, STREAM)).map((entry) => entry.event.event_id);

  it('publishes every row once, in order, as the `event` field', async () => {
    const events = Array.from({ length: 25 }, (_, i) => event((i % 3) + 1, i));
    await writeEvents(h.dataSource, TABLE, events.slice(0, 12));
    await writeEvents(h.dataSource, TABLE, events.slice(12));
    const before = await metricValue('outbox_published_total', { service: 'player_worker', stream: STREAM });

    const p = poller();
    p.start();
    await waitFor(async () => (await backlogStatus(h.appDataSource, TABLE)).pending === 0);
    await sleep(100);
    await p.stop();

    const published = await streamEvents(h.redis, STREAM);
    expect(published.map((entry) => entry.fields[0])).toEqual(Array(25).fill('event'));
    expect(published.map((entry) => entry.event)).toEqual(events);
    const state = await rows();
    expect(state.map((r) => r.state)).toEqual(Array(25).fill('published'));
    expect(
      (await metricValue('outbox_published_total', { service: 'player_worker', stream: STREAM })) - before,
    ).toBe(25);
    expect(
      await metricValue('outbox_published_total', { service: 'player_worker', stream: STREAM, brand: '2' }),
    ).toBeGreaterThanOrEqual(8);
  });

  it('never lets two concurrent pollers publish the same batch (the cursor lock)', async () => {
    const events = Array.from({ length: 100 }, (_, i) => event(1, i));
    await writeEvents(h.dataSource, TABLE, events);
    const a = poller({ workerId: 'worker-a', batchSize: 20 });
    const b = poller({ workerId: 'worker-b', batchSize: 20 });

    let total = 0;
    for (;;) {
      const round = await Promise.all([a.runOnce(), b.runOnce()]);
      const claimed = round[0].claimed + round[1].claimed;
      if (claimed === 0) break;
      total += claimed;
    }
    expect(total).toBe(100);

    // Exactly once: a batch is read and published only under the cursor lock, and the cursor moves with it.
    const ids = await streamedIds();
    expect(ids).toEqual(events.map((e) => e.event_id));
  });

  it('skips the batch while another session holds the cursor, and takes it once that session is gone', async () => {
    const e = event(1, 1);
    await writeEvents(h.dataSource, TABLE, [e]);
    // A worker that locked the cursor, then hung or was SIGKILLed.
    const holder = await session();
    holder.on('error', () => undefined);
    const {
      rows: [{ pid: holderPid }],
    } = await holder.query('SELECT pg_backend_pid() AS pid');
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM outbox_relay_cursor WHERE outbox_table = $1 FOR UPDATE`, [TABLE]);
    const survivor = poller({ workerId: 'survivor' });
    expect((await survivor.runOnce()).claimed).toBe(0);
    expect(await streamEvents(h.redis, STREAM)).toEqual([]);

    // Its connection drops (what a SIGKILL does): PostgreSQL releases the lock at once.
    await h.dataSource.query('SELECT pg_terminate_backend($1)', [holderPid]);
    await holder.end().catch(() => undefined);
    expect(await survivor.runOnce()).toMatchObject({ claimed: 1, published: 1 });
    expect(await streamedIds()).toEqual([e.event_id]);
  });

  it('survives PostgreSQL ending its session between two queries (mid-publish) and drains every row', async () => {
    const events = Array.from({ length: 25 }, (_, i) => event((i % 3) + 1, i));
    await writeEvents(h.dataSource, TABLE, events);
    // Its own pool with a name to find its session by in pg_stat_activity.
    const applicationName = `outbox-relay-test-${process.pid}`;
    const relayDb = new DataSource({
      type: 'postgres',
      url: (h.appDataSource.options as { url: string }).url,
      poolSize: 2,
      applicationName,
    });
    await relayDb.initialize();
    // A slowed link to Redis keeps the relay in its XADD, idle in transaction on PostgreSQL, for a while.
    const proxy: TcpProxy = await startTcpProxy('127.0.0.1', 6379);
    const redis = new Redis(`redis://127.0.0.1:${proxy.port}${new URL(suiteRedisUrl()).pathname}`, {
      maxRetriesPerRequest: 1,
    });
    const logger = silentLogger();
    const p = poller({ dataSource: relayDb, redis, logger });
    try {
      await redis.ping();
      proxy.delayMs = 1000;
      p.start();
      let pid: number | undefined;
      await waitFor(async () => {
        const found: Array<{ pid: number }> = await h.dataSource.query(
          `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'`,
          [applicationName],
        );
        pid = found[0]?.pid;
        return pid !== undefined;
      });
      // What a failover, an operator's pg_terminate_backend or the relay's own lease timeout does.
      await h.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      proxy.delayMs = 0;

      await waitFor(async () => (await backlogStatus(h.appDataSource, TABLE)).pending === 0, 20_000);
      expect(p.status().running).toBe(true);
      expect(logger.calls).toContainEqual(
        expect.objectContaining({ msg: 'outbox loop failed', error: expect.stringMatching(/terminat/i) }),
      );
      // The interrupted batch may go out twice (at-least-once); a consumer deduping on event_id sees every row in order.
      expect([...new Set(await streamedIds())]).toEqual(events.map((e) => e.event_id));
    } finally {
      await p.stop();
      redis.disconnect();
      await proxy.close();
      await relayDb.destroy();
    }
  }, 30_000);

  it('publishes in commit-safe order: a row is never skipped when its transaction commits after later ones, and a rolled-back row never appears', async () => {
    const [a, b, c, d] = [event(1, 1), event(2, 2), event(1, 3), event(2, 4)];
    const early = await session();
    const open = await session();
    const late = await session();
    const rolledBack = await session();
    const p = poller();
    /** Runs the relay until `ids` are on the stream (other suites' open transactions may delay it a little). */
    const publishUntil = async (ids: string[]) =>
      waitFor(async () => {
        await p.runOnce();
        const streamed = await streamedIds();
        return ids.every((id) => streamed.includes(id));
      });
    try {
      // `early` takes its transaction id first, `open` inserts first (lower row id), then `early`
      // inserts and commits while `open` stays open: early's row has the higher id, the lower tx_id.
      await early.query('BEGIN');
      await early.query('SELECT pg_current_xact_id()');
      await open.query('BEGIN');
      await insertEvent(open, a);
      await insertEvent(early, b);
      await early.query('COMMIT');
      // `late` writes and commits after `open` began: its row waits behind the open transaction.
      await insertEvent(late, c);
      await rolledBack.query('BEGIN');
      await insertEvent(rolledBack, d);
      await rolledBack.query('ROLLBACK');

      await publishUntil([b.event_id]);
      for (let i = 0; i < 3; i += 1) await p.runOnce();
      expect(await streamedIds()).toEqual([b.event_id]);
      const waiting = await backlogStatus(h.appDataSource, TABLE);
      expect(waiting.pending).toBe(1);
      expect(waiting.waitingOnOpenTransactions).toBe(1);

      await open.query('COMMIT');
      await publishUntil([a.event_id, c.event_id]);
      // a is published after b (commit-safe order), not skipped although its id is lower, then c.
      expect(await streamedIds()).toEqual([b.event_id, a.event_id, c.event_id]);
      expect((await rows()).map((r) => [r.event_id, r.state])).toEqual([
        [a.event_id, 'published'],
        [b.event_id, 'published'],
        [c.event_id, 'published'],
      ]);
      for (let i = 0; i < 3; i += 1) await p.runOnce();
      expect(await streamedIds()).not.toContain(d.event_id);
      expect(await backlogStatus(h.appDataSource, TABLE)).toMatchObject({ pending: 0, dead: 0 });
    } finally {
      for (const client of [early, open, late, rolledBack]) await client.end();
    }
  });

  it('counts an outage as one failing streak although its error messages differ', async () => {
    await writeEvents(h.dataSource, TABLE, [event(1, 1)]);
    // Not connected yet: the first iteration's connect is refused, the next ones find it reconnecting.
    const lazy = new Redis(DEAD_REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 200,
    });
    lazy.on('error', () => undefined);
    try {
      const down = poller({ redis: lazy, workerId: 'worker-lazy' });
      const errors: (string | null)[] = [];
      for (let i = 0; i < 3; i += 1) {
        await down.runOnce();
        errors.push(down.status().lastError);
      }
      expect(new Set(errors).size).toBeGreaterThan(1);
      expect(down.status()).toMatchObject({ failingIterations: 3, failingError: errors[2] });
    } finally {
      lazy.disconnect();
    }
  });

  it('holds the batch while Redis is down without charging the rows an attempt, and drains in order once it is back', async () => {
    const events = [event(1, 1), event(2, 2), event(3, 3)];
    await writeEvents(h.dataSource, TABLE, events);
    const failedBefore = await metricValue('outbox_publish_failed_total', {
      service: 'player_worker',
      stream: STREAM,
    });

    const down = poller({ redis: deadRedis, workerId: 'worker-down', maxAttempts: 1 });
    expect(await down.runOnce()).toEqual({ claimed: 3, published: 0, failed: 3, deadLettered: 0 });
    // A transport failure is not the row's fault: no attempt, no retry time, nothing dead even at maxAttempts 1.
    expect(await down.runOnce()).toEqual({ claimed: 3, published: 0, failed: 3, deadLettered: 0 });
    const state = await rows();
    expect(state.map((r) => [r.state, r.attempts, r.last_error])).toEqual([
      ['pending', 0, null],
      ['pending', 0, null],
      ['pending', 0, null],
    ]);
    expect(down.status().lastError).toMatch(/redis/i);
    expect(down.status().failingIterations).toBe(2);
    expect(
      (await metricValue('outbox_publish_failed_total', { service: 'player_worker', stream: STREAM })) -
        failedBefore,
    ).toBe(6);
    expect(await streamEvents(h.redis, STREAM)).toEqual([]);

    // Redis is back: the same rows drain at once, in order.
    const up = poller({ workerId: 'worker-up' });
    expect(await up.runOnce()).toMatchObject({ claimed: 3, published: 3, failed: 0 });
    expect((await streamEvents(h.redis, STREAM)).map((entry) => entry.event)).toEqual(events);
    expect((await rows()).map((r) => [r.state, r.attempts])).toEqual([
      ['published', 0],
      ['published', 0],
      ['published', 0],
    ]);
    expect(up.status()).toMatchObject({ lastError: null, failingIterations: 0 });
  });

  it('never dead-letters during a Redis outage: with maxAttempts 2 and Redis unreachable for several loop iterations, every row is published in order once it returns', async () => {
    const events = Array.from({ length: 5 }, (_, i) => event((i % 2) + 1, i));
    await writeEvents(h.dataSource, TABLE, events);
    const proxy = await startTcpProxy('127.0.0.1', 6379);
    const redis = new Redis(`redis://127.0.0.1:${proxy.port}${new URL(suiteRedisUrl()).pathname}`, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    redis.on('error', () => undefined);
    const p = poller({ redis, maxAttempts: 2, backoff: { baseMs: 10, capMs: 10 } });
    try {
      await redis.ping();
      await proxy.down();
      const failedBefore = await metricValue('outbox_publish_failed_total', {
        service: 'player_worker',
        stream: STREAM,
      });
      p.start();
      // Eight failed loop iterations over the whole batch (four times maxAttempts), or a dead letter.
      await waitFor(
        async () =>
          (await backlogStatus(h.appDataSource, TABLE)).dead > 0 ||
          (await metricValue('outbox_publish_failed_total', { service: 'player_worker', stream: STREAM })) -
            failedBefore >=
            8 * events.length,
      );
      expect((await rows()).map((r) => [r.state, r.attempts])).toEqual(events.map(() => ['pending', 0]));

      await proxy.up();
      await waitFor(async () => (await backlogStatus(h.appDataSource, TABLE)).pending === 0);
      expect(await backlogStatus(h.appDataSource, TABLE)).toMatchObject({ pending: 0, dead: 0 });
      expect(await streamedIds()).toEqual(events.map((e) => e.event_id));
    } finally {
      await p.stop();
      redis.disconnect();
      await proxy.close();
    }
  }, 30_000);

  it('dead-letters a row Redis rejects after maxAttempts, holding the rows behind it meanwhile, and can requeue it', async () => {
    const [e] = [event(5, 1)];
    await writeEvents(h.dataSource, TABLE, [e]);
    const deadBefore = await metricValue('outbox_dead_lettered_total', {
      service: 'player_worker',
      stream: STREAM,
    });
    // Redis answers each XADD with an error reply (WRONGTYPE): a per-row failure, charged to the row.
    await h.redis.set(STREAM, 'not a stream');
    const rejecting = poller({ maxAttempts: 2, backoff: { baseMs: 200, capMs: 200 } });

    expect(await rejecting.runOnce()).toMatchObject({ failed: 1, deadLettered: 0 });
    expect((await rows()).map((r) => [r.state, r.attempts])).toEqual([['pending', 1]]);
    // Backing off: the row is not due yet, so nothing is claimed.
    expect((await rejecting.runOnce()).claimed).toBe(0);
    await sleep(250);
    expect(await rejecting.runOnce()).toMatchObject({ failed: 1, deadLettered: 1 });
    const [dead] = await rows();
    expect([dead.state, dead.attempts]).toEqual(['dead', 2]);
    expect(dead.last_error).toMatch(/WRONGTYPE/);
    await h.redis.del(STREAM);
    expect(
      (await metricValue('outbox_dead_lettered_total', { service: 'player_worker', stream: STREAM })) -
        deadBefore,
    ).toBe(1);

    const healthy = poller();
    await sleep(30);
    expect((await healthy.runOnce()).claimed).toBe(0);
    expect(await backlogStatus(h.appDataSource, TABLE)).toMatchObject({ pending: 0, dead: 1 });

    // A row written after the dead one is not held back by it.
    const after = event(5, 2);
    await writeEvents(h.dataSource, TABLE, [after]);
    expect(await healthy.runOnce()).toMatchObject({ published: 1 });

    // Requeued: renumbered ahead of the cursor, attempts reset, published on the next loop.
    expect(await requeueDeadLetters(h.appDataSource, TABLE)).toBe(1);
    expect((await rows()).map((r) => [r.event_id, r.state, r.attempts])).toEqual([
      [after.event_id, 'published', 0],
      [e.event_id, 'pending', 0],
    ]);
    expect(await healthy.runOnce()).toMatchObject({ published: 1 });
    expect(await streamedIds()).toEqual([after.event_id, e.event_id]);
    expect(await backlogStatus(h.appDataSource, TABLE)).toMatchObject({ pending: 0, dead: 0 });
  });

  it('replays from a point in time by moving the cursor back (after a Redis loss), never forward', async () => {
    const old = [event(1, 1), event(2, 2)];
    await writeEvents(h.dataSource, TABLE, old);
    await h.dataSource.query(`UPDATE ${TABLE} SET created_at = now() - interval '1 hour'`);
    const recent = [event(1, 3), event(2, 4)];
    await writeEvents(h.dataSource, TABLE, recent);
    const dead = event(1, 5);
    await writeEvents(h.dataSource, TABLE, [dead]);
    await h.dataSource.query(`UPDATE ${TABLE} SET status = 'dead', attempts = 5 WHERE event_id = $1`, [
      dead.event_id,
    ]);
    const p = poller();
    expect(await p.runOnce()).toMatchObject({ claimed: 5, published: 4 });
    expect(await p.runOnce()).toMatchObject({ claimed: 0 });
    // Redis lost its streams.
    await h.redis.del(STREAM);

    expect(await rewindRelayCursor(h.appDataSource, TABLE, new Date(Date.now() - 10 * 60_000))).toEqual({
      moved: true,
      replayed: 2,
    });
    expect(await backlogStatus(h.appDataSource, TABLE)).toMatchObject({ pending: 2, dead: 1 });
    expect(await p.runOnce()).toMatchObject({ published: 2 });
    // The recent rows again, in order; the old ones and the dead letter not.
    expect(await streamedIds()).toEqual(recent.map((e) => e.event_id));

    // Nothing written since then: the cursor stays where it is.
    expect(await rewindRelayCursor(h.appDataSource, TABLE, new Date(Date.now() + 60_000))).toEqual({
      moved: false,
      replayed: 0,
    });
    expect(await p.runOnce()).toMatchObject({ claimed: 0 });
  });

  it('reports status, gauges and a heartbeat file, and stops gracefully', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-hb-'));
    const heartbeatFile = join(dir, 'heartbeat.json');
    try {
      await writeEvents(h.dataSource, TABLE, [event(1, 1), event(1, 2)]);
      // One row that is not due for a while: it stays in the backlog.
      await writeEvents(h.dataSource, TABLE, [event(1, 3)]);
      await h.dataSource.query(
        `UPDATE ${TABLE} SET created_at = now() - interval '120 seconds', next_attempt_at = now() + interval '1 hour'
          WHERE aggregate_id = '3'`,
      );
      const p = poller({ heartbeatFile });
      expect(p.status()).toMatchObject({ running: false, lastLoopAt: null });
      p.start();
      await waitFor(async () => (await streamEvents(h.redis, STREAM)).length === 2);
      await waitFor(async () => p.status().lastLoopAt !== null && p.status().backlog === 1);

      const status = p.status();
      expect(status.running).toBe(true);
      expect(status.lastError).toBeNull();
      expect(status.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(120);
      expect(await metricValue('outbox_backlog', { service: 'player_worker', table: TABLE })).toBe(1);
      expect(
        await metricValue('outbox_oldest_pending_age_seconds', { service: 'player_worker', table: TABLE }),
      ).toBeGreaterThanOrEqual(120);

      // The loop marks the iteration done before its heartbeat write lands.
      await waitFor(async () => (await readFile(heartbeatFile, 'utf8').catch(() => null)) !== null);
      const beat = JSON.parse(await readFile(heartbeatFile, 'utf8'));
      expect(beat).toMatchObject({ service: 'player_worker', worker_id: 'worker-a', table: TABLE });
      expect(Date.now() - Date.parse(beat.timestamp)).toBeLessThan(5000);

      const stopped = Date.now();
      await p.stop();
      expect(Date.now() - stopped).toBeLessThan(1000);
      expect(p.status().running).toBe(false);
      const after = JSON.parse(await readFile(heartbeatFile, 'utf8')).timestamp;
      await sleep(100);
      expect(JSON.parse(await readFile(heartbeatFile, 'utf8')).timestamp).toBe(after);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports the backlog across brands for /health', async () => {
    await writeEvents(h.dataSource, TABLE, [event(1, 1), event(2, 2)]);
    await h.dataSource.query(
      `UPDATE ${TABLE} SET created_at = now() - interval '30 seconds' WHERE aggregate_id = '1'`,
    );
    const status = await backlogStatus(h.dataSource, TABLE);
    expect(status.pending).toBe(2);
    expect(status.dead).toBe(0);
    expect(status.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(30);
    expect(status.oldestPendingAgeSeconds).toBeLessThan(60);
  });
});
