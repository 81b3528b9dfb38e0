// The outbox poller publishes at-least-once to events:player (seeds 000/001 "Background Work", CONTRACTS §4/§6).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { backlogStatus, OutboxPoller, requeueDeadLetters, type OutboxPollerOptions } from '@app/outbox';
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

  const rows = (): Promise<
    Array<{
      event_id: string;
      status: string;
      attempts: number;
      locked_by: string | null;
      last_error: string | null;
      published: boolean;
    }>
  > =>
    h.dataSource.query(
      `SELECT event_id, status, attempts, locked_by, last_error, published_at IS NOT NULL AS published FROM ${TABLE} ORDER BY id`,
    );

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
    expect(state.every((r) => r.status === 'published' && r.published && r.locked_by === null)).toBe(true);
    expect(
      (await metricValue('outbox_published_total', { service: 'player_worker', stream: STREAM })) - before,
    ).toBe(25);
    expect(
      await metricValue('outbox_published_total', { service: 'player_worker', stream: STREAM, brand: '2' }),
    ).toBeGreaterThanOrEqual(8);
  });

  it('never lets two concurrent pollers publish the same row (SKIP LOCKED)', async () => {
    const events = Array.from({ length: 100 }, (_, i) => event(1, i));
    await writeEvents(h.dataSource, TABLE, events);
    const a = poller({ workerId: 'worker-a', batchSize: 20 });
    const b = poller({ workerId: 'worker-b', batchSize: 20 });

    const first = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(first.map((r) => r.claimed)).toEqual([20, 20]);
    let total = 40;
    for (;;) {
      const round = await Promise.all([a.runOnce(), b.runOnce()]);
      const claimed = round[0].claimed + round[1].claimed;
      if (claimed === 0) break;
      total += claimed;
    }
    expect(total).toBe(100);

    const ids = (await streamEvents(h.redis, STREAM)).map((entry) => entry.event.event_id);
    expect(ids).toHaveLength(100);
    expect(new Set(ids).size).toBe(100);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.event_id)));
  });

  it('backs off while Redis is down and drains once it is back', async () => {
    const events = [event(1, 1), event(2, 2), event(3, 3)];
    await writeEvents(h.dataSource, TABLE, events);
    const failedBefore = await metricValue('outbox_publish_failed_total', {
      service: 'player_worker',
      stream: STREAM,
    });

    const down = poller({ redis: deadRedis, workerId: 'worker-down' });
    expect(await down.runOnce()).toEqual({ claimed: 3, published: 0, failed: 3, deadLettered: 0 });
    let state = await rows();
    expect(state.map((r) => [r.status, r.attempts, r.locked_by])).toEqual(
      Array(3).fill(['pending', 1, null]),
    );
    expect(state[0].last_error).toMatch(/redis/i);
    expect(down.status().lastError).toMatch(/redis/i);
    expect(
      (await metricValue('outbox_publish_failed_total', { service: 'player_worker', stream: STREAM })) -
        failedBefore,
    ).toBe(3);

    // Backing off: nothing is due yet.
    expect((await down.runOnce()).claimed).toBe(0);
    const [{ delay }] = await h.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - now())::float8 AS delay FROM ${TABLE}`,
    );
    expect(delay).toBeGreaterThan(0.1);
    expect(delay).toBeLessThanOrEqual(0.2);

    await sleep(250);
    expect(await down.runOnce()).toMatchObject({ claimed: 3, failed: 3 });
    const [{ second }] = await h.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - now())::float8 AS second FROM ${TABLE}`,
    );
    expect(second).toBeGreaterThan(0.3);
    expect(second).toBeLessThanOrEqual(0.4);
    expect((await rows()).map((r) => r.attempts)).toEqual([2, 2, 2]);
    expect(await streamEvents(h.redis, STREAM)).toEqual([]);

    // Redis is back: the same rows drain once their retry time has come.
    const up = poller({ workerId: 'worker-up' });
    await sleep(450);
    expect(await up.runOnce()).toMatchObject({ claimed: 3, published: 3, failed: 0 });
    expect((await streamEvents(h.redis, STREAM)).map((entry) => entry.event)).toEqual(events);
    state = await rows();
    expect(state.map((r) => [r.status, r.attempts, r.last_error])).toEqual(
      Array(3).fill(['published', 2, null]),
    );
    expect(up.status().lastError).toBeNull();
  });

  it('dead-letters a row after maxAttempts and can requeue it', async () => {
    const [e] = [event(5, 1)];
    await writeEvents(h.dataSource, TABLE, [e]);
    const deadBefore = await metricValue('outbox_dead_lettered_total', {
      service: 'player_worker',
      stream: STREAM,
    });
    const down = poller({ redis: deadRedis, maxAttempts: 2, backoff: { baseMs: 10, capMs: 10 } });

    expect(await down.runOnce()).toMatchObject({ failed: 1, deadLettered: 0 });
    await sleep(30);
    expect(await down.runOnce()).toMatchObject({ failed: 1, deadLettered: 1 });
    expect((await rows()).map((r) => [r.status, r.attempts])).toEqual([['dead', 2]]);
    expect(
      (await metricValue('outbox_dead_lettered_total', { service: 'player_worker', stream: STREAM })) -
        deadBefore,
    ).toBe(1);

    const healthy = poller();
    await sleep(30);
    expect((await healthy.runOnce()).claimed).toBe(0);
    expect(await backlogStatus(h.appDataSource, TABLE)).toMatchObject({ pending: 0, dead: 1 });

    expect(await requeueDeadLetters(h.appDataSource, TABLE)).toBe(1);
    expect(await healthy.runOnce()).toMatchObject({ published: 1 });
    expect((await streamEvents(h.redis, STREAM)).map((entry) => entry.event.event_id)).toEqual([e.event_id]);
  });

  it('re-claims rows whose worker crashed once the lease expires', async () => {
    const e = event(1, 1);
    await writeEvents(h.dataSource, TABLE, [e]);
    // A worker claimed the row and was SIGKILLed before publishing.
    await h.dataSource.query(
      `UPDATE ${TABLE} SET locked_by = 'crashed-worker', locked_until = now() + interval '600 milliseconds'`,
    );
    const survivor = poller({ workerId: 'survivor' });
    expect((await survivor.runOnce()).claimed).toBe(0);
    await sleep(700);
    expect(await survivor.runOnce()).toMatchObject({ claimed: 1, published: 1 });
    expect((await streamEvents(h.redis, STREAM)).map((entry) => entry.event.event_id)).toEqual([e.event_id]);
  });

  it('leaves a row claimed by a live worker alone', async () => {
    await writeEvents(h.dataSource, TABLE, [event(1, 1)]);
    await h.dataSource.query(
      `UPDATE ${TABLE} SET locked_by = 'other', locked_until = now() + interval '1 hour'`,
    );
    expect((await poller().runOnce()).claimed).toBe(0);
    expect(await streamEvents(h.redis, STREAM)).toEqual([]);
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
