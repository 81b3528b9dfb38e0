// player-worker (seed 000 "Background Work"; CONTRACTS §1, §4, §6, §8): publishes player_outbox to events:player, heartbeat, health, graceful SIGTERM.
import { readFileSync } from 'node:fs';
import { always } from '@app/http';
import { PlayerModule } from '../../apps/player/src/app.module';
import { bootHttpApp } from '../support/app';
import { call, GATEWAY_TOKEN } from '../player/harness';
import { outboxStateSql } from '@app/outbox';
import { STREAM, startTcpProxy, startWorkerHarness, type WorkerHarness } from './harness';

jest.setTimeout(90_000);

describe('player-worker', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await startWorkerHarness('player-worker');
  });
  afterAll(() => h.close());

  beforeEach(async () => {
    await h.redis.del(STREAM);
    await h.pg.query('TRUNCATE player_outbox');
  });

  it('publishes what the player API wrote (PLAYER_REGISTERED, v2 envelope, field `event`) and marks it published', async () => {
    const api = await bootHttpApp(
      'player',
      { MULTI_BRAND_ENFORCEMENT: 'observe', DATABASE_URL: h.db.appUrl, REDIS_URL: h.redisUrl, INTERNAL_SERVICE_TOKEN_GATEWAY: GATEWAY_TOKEN, DB_POOL_SIZE: '2' },
      (config) => PlayerModule.forRoot(config),
      always('internal'),
    );
    const worker = await h.start();
    try {
      const ids: number[] = [];
      for (const account of ['w_one', 'w_two']) {
        const res = await call(api.url, 'POST', '/internal/players/register', { brand: 1, body: { account, password: 'secret-pass-1' } });
        ids.push(res.data.player_id);
      }
      await h.waitFor(async () => (await h.redis.xlen(STREAM)) === 2, 10_000, 'two stream entries');
      const entries = await h.redis.xrange(STREAM, '-', '+');
      const events = entries.map(([, fields]) => {
        expect(fields).toHaveLength(2);
        expect(fields[0]).toBe('event');
        return JSON.parse(fields[1]);
      });
      expect(events.map((e) => [e.event_type, e.schema_version, e.brand_id, e.aggregate_type, e.aggregate_id, e.producer])).toEqual([
        ['PLAYER_REGISTERED', 2, 1, 'player', String(ids[0]), 'player_service'],
        ['PLAYER_REGISTERED', 2, 1, 'player', String(ids[1]), 'player_service'],
      ]);
      // Published = behind the relay cursor (the relay moves the cursor after XADD, it does not write the rows).
      await h.waitFor(async () => ((await h.outboxCounts()).published ?? 0) === 2, 10_000, 'the cursor past both rows');
      const { rows } = await h.pg.query(`SELECT event_id, ${outboxStateSql('player_outbox', 'o')} AS state, attempts FROM player_outbox o ORDER BY id`);
      expect(rows.map((r) => [r.event_id, r.state, r.attempts])).toEqual(events.map((e) => [e.event_id, 'published', 0]));
    } finally {
      await worker.stop();
      await api.close();
    }
  });

  it('writes WORKER_HEARTBEAT_FILE every loop and serves /health (db, redis, outbox loop alive) and /metrics', async () => {
    const worker = await h.start();
    try {
      const first = JSON.parse(readFileSync(h.heartbeatFile, 'utf8'));
      expect(first).toMatchObject({ service: 'player_worker', table: 'player_outbox', backlog: 0, last_error: null });
      await new Promise((r) => setTimeout(r, 300));
      const second = JSON.parse(readFileSync(h.heartbeatFile, 'utf8'));
      expect(Date.parse(second.timestamp)).toBeGreaterThan(Date.parse(first.timestamp));

      const health = await fetch(`${worker.url}/health`);
      const body = (await health.json()) as any;
      expect(health.status).toBe(200);
      expect(body.data).toMatchObject({
        service: 'player_worker',
        multi_brand_enforcement: 'observe',
        checks: { db: 'ok', redis: 'ok', outbox: 'ok' },
        details: { outbox: { enabled: true, running: true, last_error: null } },
      });
      await h.seed(3);
      await h.waitFor(async () => (await h.redis.xlen(STREAM)) === 3, 10_000, 'three entries');
      const metrics = await (await fetch(`${worker.url}/metrics`)).text();
      expect(metrics).toMatch(/outbox_published_total\{[^}]*service="player_worker"[^}]*stream="events:player"[^}]*\} 3/);
    } finally {
      await worker.stop();
    }
  });

  it('stops gracefully on SIGTERM: the batch in flight is finished or given up, the cursor is left unlocked, and a restart drains the rest exactly once', async () => {
    const ids = await h.seed(3000, [1]);
    // A slowed link to Redis keeps the worker mid-stream when SIGTERM arrives, however fast the machine is.
    const proxy = await startTcpProxy('127.0.0.1', 6379);
    proxy.delayMs = 10;
    const worker = await h.start({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}${new URL(h.redisUrl).pathname}`,
      OUTBOX_BATCH_SIZE: '100',
      OUTBOX_LEASE_SECONDS: '60',
    });
    await h.waitFor(async () => (await h.redis.xlen(STREAM)) >= 200, 20_000, 'publishing to start');
    const code = await worker.stop('SIGTERM');
    await proxy.close();
    expect(worker.child.signalCode === 'SIGTERM' || code === 0).toBe(true);

    // Nothing is left claimed: the stopped worker holds no lock on the relay cursor.
    const { rows } = await h.pg.query(`SELECT * FROM outbox_relay_cursor WHERE outbox_table = 'player_outbox' FOR UPDATE NOWAIT`);
    expect(rows).toHaveLength(1);
    const published = (await h.outboxCounts()).published ?? 0;
    const streamed = await h.streamEventIds();
    // Every row behind the cursor reached the stream (publish happens before the cursor moves).
    expect(streamed.length).toBeGreaterThanOrEqual(published);
    expect(published).toBeLessThan(3000);

    const again = await h.start({ OUTBOX_BATCH_SIZE: '500' });
    try {
      await h.waitFor(async () => ((await h.outboxCounts()).published ?? 0) === 3000, 30_000, 'all rows published');
      const all = await h.streamEventIds();
      expect(new Set(all)).toEqual(new Set(ids));
      // A graceful stop republishes nothing: each event is on the stream exactly once.
      expect(all).toHaveLength(3000);
    } finally {
      await again.stop();
    }
  });
});
