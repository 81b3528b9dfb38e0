// Outbox delivery under faults (issue 4 acceptance; CONTRACTS §6 at-least-once, event_id dedup): worker SIGKILL mid-stream, Redis outage mid-publish,
// PostgreSQL ending the relay's session mid-batch.
import { readFileSync } from 'node:fs';
import { EventDeduper } from '@app/outbox';
import { STREAM, startTcpProxy, startWorkerHarness, type TcpProxy, type WorkerHarness } from './harness';

jest.setTimeout(120_000);

describe('player-worker outbox under faults', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorkerHarness('player-worker-faults');
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    await h.redis.del(STREAM);
    await h.pg.query('TRUNCATE player_outbox');
  });

  /** Reads the stream like a consumer: every entry claims its event_id once through EventDeduper. */
  async function consume(consumer: string): Promise<Map<string, number>> {
    const deduper = new EventDeduper(h.redis, consumer, 600);
    const processed = new Map<string, number>();
    for (const id of await h.streamEventIds()) {
      if (await deduper.claim(id)) processed.set(id, (processed.get(id) ?? 0) + 1);
    }
    return processed;
  }

  it('SIGKILL mid-stream with 1,000 pending rows: after a restart every event is on the stream at least once and processed exactly once after dedup', async () => {
    const ids = await h.seed(1000, [1, 2]);
    // A slowed link to Redis keeps the first worker mid-stream long enough to kill it there.
    const proxy = await startTcpProxy('127.0.0.1', 6379);
    const db = new URL(h.redisUrl).pathname;
    const slowUrl = `redis://127.0.0.1:${proxy.port}${db}`;
    proxy.delayMs = 15;
    const env = { REDIS_URL: slowUrl, OUTBOX_BATCH_SIZE: '25', OUTBOX_LEASE_SECONDS: '2' };
    let killedAt = 0;
    try {
      const first = await h.start(env);
      await h.waitFor(async () => (await h.redis.xlen(STREAM)) >= 150, 30_000, 'publishing to be under way');
      await first.stop('SIGKILL');
      killedAt = await h.redis.xlen(STREAM);
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(killedAt).toBeLessThan(1000);

      proxy.delayMs = 0;
      const second = await h.start(env);
      try {
        await h.waitFor(async () => ((await h.outboxCounts()).published ?? 0) === 1000, 60_000, 'all 1,000 rows published');
      } finally {
        await second.stop();
      }
      const streamed = await h.streamEventIds();
      expect(new Set(streamed)).toEqual(new Set(ids));
      expect(streamed.length).toBeGreaterThanOrEqual(1000);
      const processed = await consume('sigkill-suite');
      expect(processed.size).toBe(1000);
      expect([...processed.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('Redis goes away during publishing: the cursor does not move while it is down, no row is charged or dead-lettered (OUTBOX_MAX_ATTEMPTS=2), and the backlog drains in order after it returns', async () => {
    const proxy: TcpProxy = await startTcpProxy('127.0.0.1', 6379);
    const db = new URL(h.redisUrl).pathname;
    const ids = await h.seed(1000, [1, 2]);
    proxy.delayMs = 10;
    const worker = await h.start({ REDIS_URL: `redis://127.0.0.1:${proxy.port}${db}`, OUTBOX_BATCH_SIZE: '50', OUTBOX_MAX_ATTEMPTS: '2' });
    try {
      await h.waitFor(async () => (await h.redis.xlen(STREAM)) >= 100, 30_000, 'publishing to be under way');
      await proxy.down();
      const atOutage = await h.redis.xlen(STREAM);
      expect(atOutage).toBeLessThan(1000);

      // While Redis is unreachable: publishes fail, the cursor stops at the first unpublished row and the loop
      // retries the batch with backoff (the rows behind it wait their turn); /health says so, /healthz does not.
      await h.waitFor(
        async () => /redis/i.test(JSON.parse(readFileSync(h.heartbeatFile, 'utf8')).last_error ?? ''),
        15_000,
        'failed publishes to be reported',
      );
      const publishedDuringOutage = (await h.outboxCounts()).published ?? 0;
      // Long enough for old behaviour (charging the head row, 1 s backoff) to dead-letter at OUTBOX_MAX_ATTEMPTS=2.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await h.outboxCounts()).published ?? 0).toBe(publishedDuringOutage);
      expect(await h.redis.xlen(STREAM)).toBeGreaterThanOrEqual(publishedDuringOutage);
      const charged = await h.pg.query(`SELECT count(*)::int AS n FROM player_outbox WHERE attempts > 0 OR status = 'dead'`);
      expect(charged.rows[0].n).toBe(0);
      const health = await fetch(`${worker.url}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as any).data.checks.redis).toBe('down');
      const live = await fetch(`${worker.url}/healthz`);
      expect(live.status).toBe(200);
      expect(((await live.json()) as any).data.checks).toEqual({ outbox_loop: 'ok' });

      proxy.delayMs = 0;
      await proxy.up();
      await h.waitFor(async () => ((await h.outboxCounts()).published ?? 0) === 1000, 60_000, 'the backlog to drain');
      expect((await h.outboxCounts()).dead ?? 0).toBe(0);
      const streamed = await h.streamEventIds();
      expect(new Set(streamed)).toEqual(new Set(ids));
      // In order, after a consumer's dedup (a batch cut off mid-pipeline is published again).
      expect([...new Set(streamed)]).toEqual(ids);
      const processed = await consume('redis-down-suite');
      expect(processed.size).toBe(1000);
      await h.waitFor(async () => (await fetch(`${worker.url}/health`)).status === 200, 10_000, 'health to recover');
    } finally {
      await worker.stop();
      await proxy.close();
    }
  });
  it('PostgreSQL ends the relay session between two queries (failover, pg_terminate_backend): the worker keeps running and drains every row', async () => {
    const ids = await h.seed(300, [1, 2]);
    // A slowed link to Redis: each XADD batch keeps the relay idle in transaction on PostgreSQL for a while.
    const proxy = await startTcpProxy('127.0.0.1', 6379);
    proxy.delayMs = 300;
    const worker = await h.start({ REDIS_URL: `redis://127.0.0.1:${proxy.port}${new URL(h.redisUrl).pathname}`, OUTBOX_BATCH_SIZE: '50' });
    try {
      let pid: number | undefined;
      await h.waitFor(
        async () => {
          const { rows } = await h.pg.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'player_worker' AND state = 'idle in transaction'`,
          );
          pid = rows[0]?.pid;
          return pid !== undefined;
        },
        20_000,
        'the relay to wait on Redis inside its batch',
      );
      await h.pg.query('SELECT pg_terminate_backend($1)', [pid]);
      proxy.delayMs = 0;

      await h.waitFor(async () => ((await h.outboxCounts()).published ?? 0) === 300 || worker.child.exitCode !== null, 30_000, 'all rows published');
      expect([worker.child.exitCode, worker.child.signalCode]).toEqual([null, null]);
      expect((await h.outboxCounts()).published).toBe(300);
      expect(worker.output()).toMatch(/outbox relay connection lost: terminating connection due to administrator command/);
      expect([...new Set(await h.streamEventIds())]).toEqual(ids);
      expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    } finally {
      await worker.stop();
      await proxy.close();
    }
  });
});
