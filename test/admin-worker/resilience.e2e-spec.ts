/**
 * admin_worker under contention and partial failure (review of seed 004
 * "Background Work"), over real PostgreSQL and Redis:
 *   - one brand's failure does not stop the later brands of a run, and the
 *     run is still marked failed, naming that brand;
 *   - job transactions carry a statement and a lock timeout, so a row lock
 *     held by another session fails the brand instead of hanging the job;
 *   - deposit expiry skips a deposit another transaction holds (admin
 *     approve) instead of waiting for it;
 *   - the domain-map job waits for the admin domain lock and projects the
 *     committed state;
 *   - the same job rebuilds `brand:provider_allowlist:{brand_id}` from
 *     brand_provider_config and removes snapshots no brand should have.
 * The worker reconciles every `domain:*` and `brand:provider_allowlist:*`
 * key of its Redis database, so this suite uses a logical database of its
 * own (RESILIENCE_REDIS_DB), apart from jobs.e2e-spec.ts.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import Redis from 'ioredis';
import { Client } from 'pg';
import { Database } from '@app/database';
import { AttendanceJob } from '../../apps/admin-worker/src/jobs/attendance.job';
import { DailyStatisticsJob } from '../../apps/admin-worker/src/jobs/daily-statistics.job';
import { DomainMapJob } from '../../apps/admin-worker/src/jobs/domain-map.job';
import { ExpirationJob } from '../../apps/admin-worker/src/jobs/expiration.job';
import type { AdminJob } from '../../apps/admin-worker/src/jobs/job';
import { JobRunner, type RunOutcome } from '../../apps/admin-worker/src/jobs/job-runner';
import { LevelCheckJob } from '../../apps/admin-worker/src/jobs/level-check.job';
import { playerTagKey, TagJob } from '../../apps/admin-worker/src/jobs/tag.job';
import { VeraSyncJob } from '../../apps/admin-worker/src/jobs/vera-sync.job';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { flushSuiteRedis } from '../support/redis';
import { type BootedWorker, bootWorker, WORKER_REDIS_DB } from './harness';

jest.setTimeout(60_000);

const RESILIENCE_REDIS_DB = WORKER_REDIS_DB + 1;
const NOW = new Date('2026-03-10T12:00:00Z');
const LOCK_TIMEOUT_MS = 1000;
const STATEMENT_TIMEOUT_MS = 5000;
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function redisUrl(): string {
  const url = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${RESILIENCE_REDIS_DB}`;
  return url.toString();
}

let db: SuiteDatabase;
let pg: Client;
let redis: Redis;
let worker: BootedWorker;
let vera: Server;
const veraCalls: IncomingHttpHeaders[] = [];
const ids: Record<string, number> = {};

async function insert(sql: string, params: unknown[], column = 'id'): Promise<number> {
  const { rows } = await pg.query(`${sql} RETURNING ${column}`, params);
  return Number(rows[0][column]);
}

async function loadFixture(): Promise<void> {
  ids.b1 = 1;
  ids.b2 = await insert(
    `INSERT INTO brand (brand_code, name, default_currency) VALUES ('rb2', 'R2', 'KRW')`,
    [],
  );
  ids.agent = await insert(
    `INSERT INTO agent (account, password_hash) VALUES ('res-agent', 'x')`,
    [],
    'guid',
  );
  for (const [name, brand] of [
    ['r1', ids.b1],
    ['r2', ids.b2],
  ] as const) {
    ids[name] = await insert(
      `INSERT INTO player (brand_id, account, password_hash, created_at) VALUES ($1, $2, 'x', $3)`,
      [brand, name, hoursAgo(48)],
    );
    // 200 000 approved: level 2 under the default thresholds
    await pg.query(
      `INSERT INTO player_deposit (brand_id, player_id, amount, status, processed_at, created_at)
       VALUES ($1, $2, 200000, 'approved', $3, $3)`,
      [brand, ids[name], hoursAgo(1)],
    );
    await pg.query(
      `INSERT INTO player_login_log (brand_id, player_id, account, success, created_at) VALUES ($1, $2, $3, true, $4)`,
      [brand, ids[name], name, hoursAgo(1)],
    );
  }
  const pending = (brand: number, player: string) =>
    insert(
      `INSERT INTO player_deposit (brand_id, player_id, amount, status, created_at) VALUES ($1, $2, 10, 'pending', $3)`,
      [brand, ids[player], hoursAgo(30)],
    );
  ids.d1Held = await pending(ids.b1, 'r1');
  ids.d1Free = await pending(ids.b1, 'r1');
  ids.d2 = await pending(ids.b2, 'r2');
}

async function depositStatus(id: number): Promise<string> {
  return (await pg.query(`SELECT status FROM player_deposit WHERE id = $1`, [id])).rows[0].status;
}

async function level(player: string): Promise<number> {
  return (await pg.query(`SELECT level FROM player WHERE id = $1`, [ids[player]])).rows[0].level;
}

/** A second session holding locks until `release()`, like an admin request in flight. */
async function holder(): Promise<{ q: Client['query']; release(): Promise<void> }> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  await client.query('BEGIN');
  return {
    q: client.query.bind(client) as Client['query'],
    release: async () => {
      await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}

/** Fails the test instead of hanging it when the job does not finish within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`job still blocked after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const run = (job: AdminJob) => worker.app.get(JobRunner).run(job, NOW);

beforeAll(async () => {
  db = await createSuiteDatabase('admin_worker_resilience');
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await loadFixture();
  await flushSuiteRedis(redisUrl());
  redis = new Redis(redisUrl());
  vera = createServer((req, res) => {
    veraCalls.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => vera.listen(0, '127.0.0.1', resolve));
  const address = vera.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  worker = await bootWorker({
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: db.appUrl,
    REDIS_URL: redisUrl(),
    VERA_SYNC_URL: `http://127.0.0.1:${port}/sync`,
    ADMIN_WORKER_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
    ADMIN_WORKER_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  });
});

afterAll(async () => {
  await worker?.close();
  await new Promise<void>((resolve) => (vera ? vera.close(() => resolve()) : resolve()));
  redis?.disconnect();
  await pg?.end();
  await db?.drop();
});

describe('brand isolation', () => {
  const cases: Array<[string, () => AdminJob, () => Promise<void>]> = [
    [
      'expiration',
      () => worker.app.get(ExpirationJob),
      async () => expect(await depositStatus(ids.d2)).toBe('expired'),
    ],
    [
      'daily_statistics',
      () => worker.app.get(DailyStatisticsJob),
      async () => {
        const { rows } = await pg.query(
          `SELECT deposit_count FROM daily_statistics WHERE brand_id = $1 AND stat_date = '2026-03-10' AND agent_id = 0`,
          [ids.b2],
        );
        expect(rows).toEqual([{ deposit_count: 1 }]);
      },
    ],
    [
      'attendance',
      () => worker.app.get(AttendanceJob),
      async () => {
        const { rows } = await pg.query(
          `SELECT login_players FROM daily_statistics WHERE brand_id = $1 AND stat_date = '2026-03-10' AND agent_id = 0`,
          [ids.b2],
        );
        expect(rows).toEqual([{ login_players: 1 }]);
      },
    ],
    ['level_check', () => worker.app.get(LevelCheckJob), async () => expect(await level('r2')).toBe(2)],
    [
      'tags',
      () => worker.app.get(TagJob),
      async () => expect(await redis.smembers(playerTagKey(ids.b2, 'depositor'))).toEqual([String(ids.r2)]),
    ],
    [
      'vera_sync',
      () => worker.app.get(VeraSyncJob),
      async () => expect(veraCalls.map((h) => h['x-brand-id'])).toEqual([String(ids.b2)]),
    ],
  ];

  it.each(cases)(
    '%s runs the later brands when brand 1 fails, then fails the run naming brand 1',
    async (_name, job, brand2Done) => {
      const database = worker.app.get(Database);
      const original = database.brandTransaction.bind(database);
      const touched: number[] = [];
      const spy = jest.spyOn(database, 'brandTransaction').mockImplementation((brandId, fn) => {
        touched.push(brandId);
        if (brandId === ids.b1) return Promise.reject(new Error('brand 1 storage is broken'));
        return original(brandId, fn);
      });
      let outcome: RunOutcome;
      try {
        outcome = await run(job());
      } finally {
        spy.mockRestore();
      }
      expect(touched).toContain(ids.b2);
      expect(outcome.outcome).toBe('failure');
      const error = outcome.outcome === 'failure' ? outcome.error : '';
      expect(error).toContain(`brand ${ids.b1}`);
      expect(error).toContain('brand 1 storage is broken');
      expect(error).not.toContain(`brand ${ids.b2}`);
      expect(worker.app.get(JobRunner).state(job().name)?.last_error).toBe(error);
      await brand2Done();
    },
  );
});

describe('lock and statement timeouts', () => {
  it('fails a brand stuck on a row lock within the lock timeout and still processes the other brand', async () => {
    await pg.query(`UPDATE player SET level = 1 WHERE id = ANY($1::bigint[])`, [[ids.r1, ids.r2]]);
    const admin = await holder();
    try {
      await admin.q(`SELECT id FROM player WHERE id = $1 FOR UPDATE`, [ids.r1]);
      const started = Date.now();
      const outcome = await within(run(worker.app.get(LevelCheckJob)), STATEMENT_TIMEOUT_MS);
      expect(Date.now() - started).toBeLessThan(LOCK_TIMEOUT_MS + 2000);
      expect(outcome.outcome).toBe('failure');
      expect(outcome.outcome === 'failure' && outcome.error).toMatch(
        new RegExp(`brand ${ids.b1}: .*lock timeout`),
      );
      expect(await level('r2')).toBe(2);
    } finally {
      await admin.release();
    }
    expect(await level('r1')).toBe(1);
    expect((await run(worker.app.get(LevelCheckJob))).outcome).toBe('success');
    expect(await level('r1')).toBe(2);
  });

  it('sets both timeouts in every job transaction, and only there', async () => {
    const database = worker.app.get(Database);
    const seen: Array<{ statement: string; lock: string }> = [];
    const original = database.brandTransaction.bind(database);
    const spy = jest.spyOn(database, 'brandTransaction').mockImplementation((brandId, fn) =>
      original(brandId, async (tx) => {
        const result = await fn(tx);
        // still inside the job's transaction, after its work
        const [s] = await tx.manager.query(`SHOW statement_timeout`);
        const [l] = await tx.manager.query(`SHOW lock_timeout`);
        seen.push({ statement: s.statement_timeout, lock: l.lock_timeout });
        return result;
      }),
    );
    try {
      expect((await run(worker.app.get(LevelCheckJob))).outcome).toBe('success');
    } finally {
      spy.mockRestore();
    }
    expect(seen).toEqual([
      { statement: '5s', lock: '1s' },
      { statement: '5s', lock: '1s' },
    ]);
    // SET LOCAL ends with the transaction: the pooled connections keep no limits
    const [after] = await database.dataSource.query(`SHOW lock_timeout`);
    expect(after.lock_timeout).toBe('0');
  });
});

describe('deposit expiry against an in-flight approve', () => {
  it('skips a pending deposit another transaction holds, expires the others, and does not block', async () => {
    const admin = await holder();
    try {
      await admin.q(`SELECT id FROM player_deposit WHERE id = $1 FOR UPDATE`, [ids.d1Held]);
      const outcome = await within(run(worker.app.get(ExpirationJob)), LOCK_TIMEOUT_MS);
      expect(outcome.outcome).toBe('success');
      expect(outcome.outcome === 'success' && outcome.result.brands).toEqual(
        expect.arrayContaining([expect.objectContaining({ brand_id: ids.b1, deposits: 1 })]),
      );
      expect(await depositStatus(ids.d1Free)).toBe('expired');
      // the approve in flight decides this one
      await admin.q(`UPDATE player_deposit SET status = 'approved' WHERE id = $1`, [ids.d1Held]);
    } finally {
      await admin.release();
    }
    expect(await depositStatus(ids.d1Held)).toBe('approved');
  });
});

describe('domain map and provider allow-list projections', () => {
  it('waits for the admin domain lock and projects the state committed under it', async () => {
    const admin = await holder();
    const host = 'late.resilience.test';
    let settled = false;
    let job: Promise<RunOutcome> | undefined;
    try {
      await admin.q(`SELECT pg_advisory_xact_lock(hashtext('admin:domains'))`);
      await admin.q(`INSERT INTO agent_domain (brand_id, agent_id, domain) VALUES ($1, $2, $3)`, [
        ids.b2,
        ids.agent,
        host,
      ]);
      job = run(worker.app.get(DomainMapJob)).finally(() => (settled = true));
      await sleep(LOCK_TIMEOUT_MS / 3);
      expect(settled).toBe(false);
    } finally {
      await admin.release();
    }
    const outcome = await within(job as Promise<RunOutcome>, STATEMENT_TIMEOUT_MS);
    expect(outcome.outcome).toBe('success');
    expect(JSON.parse((await redis.get(`domain:agent:${host}`)) ?? 'null')).toEqual({
      agent_id: ids.agent,
      brand_id: ids.b2,
    });
  });

  it('restores lost or corrupted allow-list snapshots and removes those no brand should have', async () => {
    const provider = (code: string) =>
      insert(`INSERT INTO provider (code, name, is_show) VALUES ($1, $1, true)`, [code]);
    const [pA, pB, pC] = [await provider('res-a'), await provider('res-b'), await provider('res-c')];
    await pg.query(
      `INSERT INTO brand_provider_config (brand_id, provider_id, enabled) VALUES ($1, $2, true), ($1, $3, false), ($1, $4, true)`,
      [ids.b1, pC, pB, pA],
    );
    const gone = await insert(
      `INSERT INTO brand (brand_code, name, default_currency) VALUES ('rgone', 'gone', 'KRW')`,
      [],
    );
    await pg.query(`DELETE FROM brand WHERE id = $1`, [gone]);
    const key = (brand: number) => `brand:provider_allowlist:${brand}`;
    await redis.set(key(ids.b1), JSON.stringify([999]));
    await redis.set(key(ids.b2), JSON.stringify([pA])); // brand 2 has no rows: it inherits, no key
    await redis.set(key(gone), JSON.stringify([pA]));

    const outcome = await run(worker.app.get(DomainMapJob));
    expect(outcome.outcome).toBe('success');
    expect(await redis.get(key(ids.b1))).toBe(JSON.stringify([pA, pC]));
    expect(await redis.exists(key(ids.b2), key(gone))).toBe(0);

    await redis.del(key(ids.b1));
    expect((await run(worker.app.get(DomainMapJob))).outcome).toBe('success');
    expect(await redis.get(key(ids.b1))).toBe(JSON.stringify([pA, pC]));
  });
});
