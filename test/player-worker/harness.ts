/**
 * Shared set-up of the player-worker suites: a suite database, the worker's
 * Redis database, outbox rows seeded the way the player service writes them
 * (v2 envelopes via buildEvent), the BUILT worker spawned as a real process
 * (`node dist/apps/player-worker/main.js`, so signals and restarts are real),
 * a stream reader that dedups on event_id like a consumer, and a TCP proxy in
 * front of Redis that a test can cut and restore (or slow down) without
 * touching the real Redis server.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { buildEvent, outboxStateSql } from '@app/outbox';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { startApp, type RunningApp } from '../support/processes';
import { flushSuiteRedis, suiteRedisUrl } from '../support/redis';

export const STREAM = 'events:player';

export interface TcpProxy {
  port: number;
  /** Milliseconds each client→Redis chunk is held back (0 = none). */
  delayMs: number;
  up(): Promise<void>;
  /** Stops listening and drops every live connection, like a Redis outage. */
  down(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const proxy: TcpProxy = {
    port: 0,
    delayMs: 0,
    async up() {
      server = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        sockets.add(client);
        sockets.add(upstream);
        client.on('data', (chunk) => {
          if (proxy.delayMs <= 0) {
            upstream.write(chunk);
            return;
          }
          client.pause();
          setTimeout(() => {
            if (!upstream.destroyed) upstream.write(chunk);
            client.resume();
          }, proxy.delayMs);
        });
        upstream.pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
      port = (server.address() as AddressInfo).port;
      proxy.port = port;
    },
    async down() {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (s) await new Promise((r) => s.close(r));
    },
    async close() {
      await proxy.down();
    },
  };
  await proxy.up();
  return proxy;
}

export interface WorkerHarness {
  db: SuiteDatabase;
  pg: Pool;
  redis: Redis;
  redisUrl: string;
  heartbeatFile: string;
  seed(count: number, brands?: number[]): Promise<string[]>;
  start(env?: Record<string, string>): Promise<RunningApp>;
  /** Stream entries' event_ids in stream order (duplicates kept). */
  streamEventIds(): Promise<string[]>;
  /** Rows per state: `published` (behind the relay cursor), `pending`, `dead` (outboxStateSql). */
  outboxCounts(): Promise<Record<string, number>>;
  waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWorkerHarness(label: string): Promise<WorkerHarness> {
  const db = await createSuiteDatabase(label);
  const redisUrl = suiteRedisUrl();
  await flushSuiteRedis(redisUrl);
  const pg = new Pool({ connectionString: db.url, max: 3 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const heartbeatFile = join(mkdtempSync(join(tmpdir(), 'player-worker-')), 'heartbeat.json');
  const running: RunningApp[] = [];

  const harness: WorkerHarness = {
    db,
    pg,
    redis,
    redisUrl,
    heartbeatFile,
    async seed(count, brands = [1]) {
      const events = Array.from({ length: count }, (_, i) =>
        buildEvent({
          eventType: 'PLAYER_REGISTERED',
          brandId: brands[i % brands.length],
          aggregateType: 'player',
          aggregateId: i + 1,
          producer: 'player_service',
          requestId: `seed-${i}`,
          payload: { player_id: i + 1, account: `p${i}` },
        }),
      );
      for (let i = 0; i < events.length; i += 500) {
        const chunk = events.slice(i, i + 500);
        await pg.query(
          `INSERT INTO player_outbox (brand_id, event_id, event_type, aggregate_type, aggregate_id, envelope)
           SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
          [
            chunk.map((e) => e.brand_id),
            chunk.map((e) => e.event_id),
            chunk.map((e) => e.event_type),
            chunk.map((e) => e.aggregate_type),
            chunk.map((e) => e.aggregate_id),
            chunk.map((e) => JSON.stringify(e)),
          ],
        );
      }
      return events.map((e) => e.event_id);
    },
    async start(env = {}) {
      const app = await startApp('player-worker', {
        MULTI_BRAND_ENFORCEMENT: 'observe',
        LOG_LEVEL: 'warn',
        DATABASE_URL: db.appUrl,
        DB_POOL_SIZE: '3',
        REDIS_URL: redisUrl,
        WORKER_HEARTBEAT_FILE: heartbeatFile,
        OUTBOX_POLL_INTERVAL_MS: '50',
        ...env,
      });
      running.push(app);
      return app;
    },
    async streamEventIds() {
      const entries = await redis.xrange(STREAM, '-', '+');
      return entries.map(([, fields]) => {
        expect(fields[0]).toBe('event');
        return (JSON.parse(fields[1]) as { event_id: string }).event_id;
      });
    },
    async outboxCounts() {
      const { rows } = await pg.query<{ state: string; n: string }>(
        `SELECT ${outboxStateSql('player_outbox', 'o')} AS state, count(*) AS n FROM player_outbox o GROUP BY 1`,
      );
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
    async waitFor(predicate, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await predicate()) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    async close() {
      for (const app of running) await app.stop('SIGKILL');
      redis.disconnect();
      await pg.end();
      await db.drop();
    },
  };
  return harness;
}

/** Consumer-side dedup on event_id (CONTRACTS §6): how many distinct events a consumer would process. */
export function dedup(eventIds: string[]): { processed: string[]; duplicates: number } {
  const seen = new Set<string>();
  const processed: string[] = [];
  for (const id of eventIds) {
    if (seen.has(id)) continue;
    seen.add(id);
    processed.push(id);
  }
  return { processed, duplicates: eventIds.length - processed.length };
}
