// player-worker probes (seed 001 "heartbeat-backed supervision for outbox publishing"; CONTRACTS §8): the worker
// module booted in-process with a short liveness window. /healthz (`outbox_loop`) fails only when the relay loop
// stops completing iterations (what a restart fixes), never for a Redis outage; /health (`outbox`) also reports an
// error every iteration ends with.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { DATA_SOURCE } from '@app/database';
import { OutboxWorker, OutboxWorkerAppModule } from '@app/outbox';
import { createWorkerApp, startHealthServer } from '@app/platform';
import { STREAM, startTcpProxy, startWorkerHarness, type TcpProxy, type WorkerHarness } from './harness';

jest.setTimeout(60_000);

/** The liveness window of the worker under test (the default is max(30 s, 20 × poll interval)). */
const STALE_AFTER_MS = 1500;

interface Probe {
  status: number;
  checks: Record<string, string>;
  details: Record<string, Record<string, unknown>>;
}

interface PgPool {
  obtainMasterConnection(): Promise<[unknown, (err?: unknown) => void]>;
}

describe('player-worker probes', () => {
  let h: WorkerHarness;
  let proxy: TcpProxy;
  let app: INestApplicationContext;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    h = await startWorkerHarness('player-worker-probes');
    // Redis through a proxy the outage test can cut.
    proxy = await startTcpProxy('127.0.0.1', 6379);
    const config = loadConfig('player-worker', {
      MULTI_BRAND_ENFORCEMENT: 'observe',
      LOG_LEVEL: 'silent',
      DATABASE_URL: h.db.appUrl,
      DB_POOL_SIZE: '3',
      REDIS_URL: `redis://127.0.0.1:${proxy.port}${new URL(h.redisUrl).pathname}`,
      OUTBOX_POLL_INTERVAL_MS: '20',
    });
    app = await createWorkerApp(
      OutboxWorkerAppModule.forRoot(
        'player-worker',
        config,
        { table: 'player_outbox', stream: STREAM },
        { staleAfterMs: STALE_AFTER_MS, backoff: { baseMs: 50, capMs: 200 } },
      ),
    );
    server = await startHealthServer(app, 0, '127.0.0.1');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await app?.close();
    await proxy?.close();
    await h?.close();
  });

  beforeEach(async () => {
    await h.redis.del(STREAM);
    await h.pg.query('TRUNCATE player_outbox');
    await h.waitFor(async () => (await probe('/health')).status === 200, 10_000, 'a healthy worker');
  });

  async function probe(path: '/health' | '/healthz'): Promise<Probe> {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { data: Omit<Probe, 'status'> };
    return { status: res.status, checks: body.data.checks, details: body.data.details };
  }

  const poller = () => app.get(OutboxWorker).poller;

  it('answers /healthz with only the loop check, 200 while the loop completes iterations', async () => {
    const live = await probe('/healthz');
    expect(live.status).toBe(200);
    expect(live.checks).toEqual({ outbox_loop: 'ok' });
    expect(live.details.outbox_loop).toMatchObject({
      enabled: true,
      running: true,
      stale_after_ms: STALE_AFTER_MS,
    });
    expect((await probe('/health')).checks).toMatchObject({
      db: 'ok',
      redis: 'ok',
      outbox: 'ok',
      outbox_loop: 'ok',
    });
  });

  it('keeps /healthz at 200 through a Redis outage several liveness windows long, and charges no row for it', async () => {
    const ids = await h.seed(5);
    await h.waitFor(async () => (await h.outboxCounts()).published === 5, 10_000, 'the first rows published');
    await proxy.down();
    const more = await h.seed(5);
    const downAt = Date.now();
    try {
      // Every probe during three windows: the loop keeps iterating (failing, backing off) and is alive.
      while (Date.now() - downAt < 3 * STALE_AFTER_MS) {
        const live = await probe('/healthz');
        expect([live.status, live.checks]).toEqual([200, { outbox_loop: 'ok' }]);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(poller().status().lastError).toMatch(/redis/i);
      const ready = await probe('/health');
      expect(ready.status).toBe(503);
      expect(ready.checks).toMatchObject({ redis: 'down', outbox_loop: 'ok' });
      const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM player_outbox WHERE attempts > 0`);
      expect(rows[0].n).toBe(0);
    } finally {
      await proxy.up();
    }
    await h.waitFor(async () => (await h.outboxCounts()).published === 10, 20_000, 'the backlog to drain');
    expect((await h.outboxCounts()).dead ?? 0).toBe(0);
    expect(await h.streamEventIds()).toEqual([...ids, ...more]);
    await h.waitFor(async () => (await probe('/health')).status === 200, 10_000, 'readiness to recover');
  });

  it('answers /healthz 503 once the loop has not completed an iteration within the window (a query that never returns), and 200 once it moves again', async () => {
    const locker = new Client({ connectionString: h.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE player_outbox IN ACCESS EXCLUSIVE MODE');
      await h.waitFor(async () => (await probe('/healthz')).status === 503, 10_000, '/healthz to fail');
      const live = await probe('/healthz');
      expect(live.checks).toEqual({ outbox_loop: 'down' });
      expect(live.details.outbox_loop).toMatchObject({ running: true, reason: 'stale' });
      await locker.query('COMMIT');
      await h.waitFor(async () => (await probe('/healthz')).status === 200, 10_000, '/healthz to recover');
    } finally {
      await locker.end();
    }
  });

  it('answers /healthz 503 while the pool has no connection to lend the loop, and 200 once one is back', async () => {
    const pool = app.get<DataSource>(DATA_SOURCE).driver as unknown as PgPool;
    // Every connection of the worker's pool (DB_POOL_SIZE 3), taken as they come free.
    const taken = await Promise.all([1, 2, 3].map(() => pool.obtainMasterConnection()));
    try {
      await h.waitFor(async () => (await probe('/healthz')).status === 503, 10_000, '/healthz to fail');
      expect((await probe('/healthz')).details.outbox_loop).toMatchObject({ reason: 'stale' });
    } finally {
      for (const [, release] of taken) release();
    }
    await h.waitFor(async () => (await probe('/healthz')).status === 200, 10_000, '/healthz to recover');
  });

  it('turns /health 503 with the error when every iteration fails with it (a missing grant), while /healthz stays 200', async () => {
    const role = new URL(h.db.appUrl).username;
    await h.pg.query(`REVOKE SELECT ON player_outbox FROM ${role}`);
    try {
      await h.waitFor(
        async () => (await probe('/health')).checks.outbox === 'down',
        10_000,
        'readiness to fail',
      );
      const ready = await probe('/health');
      expect(ready.status).toBe(503);
      expect(ready.details.outbox).toMatchObject({
        reason: 'persistent_error',
        failing_error: expect.stringMatching(/permission denied for table player_outbox/),
        failing_since: expect.any(String),
      });
      expect(ready.details.outbox.failing_iterations).toBeGreaterThanOrEqual(5);
      expect(await probe('/healthz')).toMatchObject({ status: 200, checks: { outbox_loop: 'ok' } });
    } finally {
      await h.pg.query(`GRANT SELECT ON player_outbox TO ${role}`);
    }
    await h.waitFor(async () => (await probe('/health')).status === 200, 10_000, 'readiness to recover');
  });
});
