/**
 * admin_worker scheduled jobs (seed 004 "Background Work") on a two-brand
 * fixture over real PostgreSQL and Redis. Each job is driven through its
 * `run(now)` with a fixed clock and ADMIN_WORKER_TIMEZONE=Asia/Seoul, and
 * its effect is checked per brand: daily statistics, attendance, level
 * checks, expirations, tags, Vera sync, domain-map reconciliation; then the
 * per-job health on /health, the scheduler check and the heartbeat file.
 */
import { readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { SchedulerRegistry } from '@nestjs/schedule';
import { parseBinding } from '@app/brand-context';
import { AttendanceJob } from '../../apps/admin-worker/src/jobs/attendance.job';
import { DailyStatisticsJob } from '../../apps/admin-worker/src/jobs/daily-statistics.job';
import { DomainMapJob } from '../../apps/admin-worker/src/jobs/domain-map.job';
import { ExpirationJob } from '../../apps/admin-worker/src/jobs/expiration.job';
import { JobRunner } from '../../apps/admin-worker/src/jobs/job-runner';
import { LevelCheckJob } from '../../apps/admin-worker/src/jobs/level-check.job';
import { playerTagKey, TagJob } from '../../apps/admin-worker/src/jobs/tag.job';
import { VeraSyncJob } from '../../apps/admin-worker/src/jobs/vera-sync.job';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { flushSuiteRedis } from '../support/redis';
import { type BootedWorker, bootWorker, workerRedisUrl } from './harness';

jest.setTimeout(60_000);

const NOW = new Date('2026-03-10T12:00:00Z'); // 21:00 in Seoul: today 2026-03-10, yesterday 2026-03-09
const TZ = 'Asia/Seoul';
const HEARTBEAT = join(tmpdir(), `admin-worker-heartbeat-${process.pid}.json`);
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

let db: SuiteDatabase;
let pg: Client;
let redis: Redis;
let worker: BootedWorker;
const ids: Record<string, number> = {};

async function insert(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await pg.query<{ id: string }>(`${sql} RETURNING id`, params);
  return Number(rows[0].id);
}

async function player(
  name: string,
  brand: number,
  agent: number | null,
  createdAt: string,
  level = 1,
): Promise<void> {
  ids[name] = await insert(
    `INSERT INTO player (brand_id, account, password_hash, agent_id, created_at, level) VALUES ($1, $2, 'x', $3, $4, $5)`,
    [brand, name, agent, createdAt, level],
  );
}

async function deposit(
  brand: number,
  playerName: string,
  amount: string,
  status: string,
  at: string,
): Promise<number> {
  return insert(
    `INSERT INTO player_deposit (brand_id, player_id, amount, status, processed_at, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)`,
    [brand, ids[playerName], amount, status, status === 'pending' ? null : at, at],
  );
}

async function loadFixture(): Promise<void> {
  ids.b1 = 1;
  ids.b2 = await insert(
    `INSERT INTO brand (brand_code, name, default_currency) VALUES ('wb2', 'Worker Brand 2', 'KRW')`,
    [],
  );
  const agent = async (account: string) =>
    Number(
      (
        await pg.query<{ guid: string }>(
          `INSERT INTO agent (account, password_hash) VALUES ($1, 'x') RETURNING guid`,
          [account],
        )
      ).rows[0].guid,
    );
  ids.a1 = await agent('worker-a1');
  ids.a2 = await agent('worker-a2');
  const { b1, b2, a1, a2 } = ids;

  await player('p1', b1, a1, '2026-03-10T01:00:00Z');
  await player('p2', b1, a2, '2026-03-09T16:00:00Z'); // 01:00 on 03-10 in Seoul
  await player('p3', b1, null, '2026-03-09T14:00:00Z'); // 23:00 on 03-09 in Seoul
  await player('pOld', b1, a1, '2026-01-01T00:00:00Z');
  await player('pVip', b1, null, '2026-01-01T00:00:00Z', 7);
  await player('q1', b2, a1, '2026-03-10T02:00:00Z');
  await player('q2', b2, null, '2026-03-10T03:00:00Z');

  await deposit(b1, 'p1', '150000.50', 'approved', '2026-03-10T02:00:00Z');
  await deposit(b1, 'p2', '50000.00', 'approved', '2026-03-09T15:30:00Z'); // 00:30 on 03-10 in Seoul
  await deposit(b1, 'p3', '20000.00', 'approved', '2026-03-09T10:00:00Z'); // 03-09 in Seoul
  await deposit(b1, 'pOld', '600000.00', 'approved', '2026-02-01T00:00:00Z');
  await deposit(b1, 'pVip', '100.00', 'approved', '2026-02-01T00:00:00Z');
  ids.pendingFresh = await deposit(b1, 'p1', '999.00', 'pending', hoursAgo(1));
  ids.pending3hB1 = await deposit(b1, 'p1', '888.00', 'pending', hoursAgo(3));
  ids.pendingOld = await deposit(b1, 'p1', '777.00', 'pending', hoursAgo(30));
  await deposit(b2, 'q1', '70000.00', 'approved', '2026-03-10T04:00:00Z');
  ids.pending3hB2 = await deposit(b2, 'q1', '666.00', 'pending', hoursAgo(3));

  await pg.query(
    `INSERT INTO player_withdraw (brand_id, player_id, amount, status, paid_at, created_at) VALUES ($1, $2, 30000, 'paid', '2026-03-10T05:00:00Z', '2026-03-10T04:00:00Z')`,
    [b1, ids.p1],
  );
  ids.oldPendingWithdraw = await insert(
    `INSERT INTO player_withdraw (brand_id, player_id, amount, status, created_at) VALUES ($1, $2, 500, 'pending', $3)`,
    [b1, ids.p2, hoursAgo(100)],
  );
  await pg.query(
    `INSERT INTO agent_withdraw (brand_id, agent_id, amount, status, processed_at) VALUES ($1, $2, 10000, 'paid', '2026-03-10T06:00:00Z')`,
    [b1, a2],
  );
  await pg.query(
    `INSERT INTO agent_withdraw (brand_id, agent_id, amount, status) VALUES ($1, $2, 4000, 'pending')`,
    [b2, a1],
  );

  const login = (brand: number, name: string, success: boolean, at: string) =>
    pg.query(
      `INSERT INTO player_login_log (brand_id, player_id, account, success, created_at) VALUES ($1, $2, $3, $4, $5)`,
      [brand, ids[name], name, success, at],
    );
  await login(b1, 'p1', true, '2026-03-10T03:00:00Z');
  await login(b1, 'p1', true, '2026-03-10T07:00:00Z');
  await login(b1, 'p2', false, '2026-03-10T03:00:00Z');
  await login(b1, 'p3', true, '2026-03-09T16:30:00Z'); // 01:30 on 03-10 in Seoul
  await login(b2, 'q1', true, '2026-03-10T04:00:00Z');

  const coupon = (brand: number, name: string, status: string, expiresAt: string | null) =>
    insert(
      `INSERT INTO coupon (brand_id, player_id, amount, status, expires_at) VALUES ($1, $2, 1000, $3, $4)`,
      [brand, ids[name], status, expiresAt],
    );
  ids.cExpired = await coupon(b1, 'p1', 'granted', hoursAgo(0.02));
  ids.cFuture = await coupon(b1, 'p1', 'granted', '2026-03-11T12:00:00Z');
  ids.cUsed = await coupon(b1, 'p2', 'used', hoursAgo(5));
  ids.cForever = await coupon(b1, 'p2', 'granted', null);
  ids.cExpiredB2 = await coupon(b2, 'q1', 'granted', hoursAgo(1));

  const config = (brand: number, key: string, value: unknown) =>
    pg.query(`INSERT INTO brand_config (brand_id, key, value) VALUES ($1, $2, $3::jsonb)`, [
      brand,
      key,
      JSON.stringify(value),
    ]);
  await config(b2, 'level_thresholds', [
    { level: 1, min_deposit: 0 },
    { level: 2, min_deposit: 50_000 },
    { level: 6, min_deposit: 60_000 },
  ]);
  await config(b2, 'pending_deposit_expire_hours', 2);
  await config(b2, 'vip_min_level', 1);

  await pg.query(
    `INSERT INTO agent_domain (agent_id, brand_id, domain) VALUES ($1, $2, 'a1.brand1.test'), ($1, $3, 'a1.brand2.test')`,
    [a1, b1, b2],
  );
  await pg.query(`INSERT INTO level_domain (brand_id, level, domain) VALUES ($1, 3, 'vip.brand2.test')`, [
    b2,
  ]);
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: db.appUrl,
    REDIS_URL: workerRedisUrl(),
    ADMIN_WORKER_TIMEZONE: TZ,
    ...extra,
  };
}

async function stats(brand: number, day: string) {
  const { rows } = await pg.query(
    `SELECT agent_id::int, registrations, login_players, deposit_count, deposit_amount::text, withdraw_count,
            withdraw_amount::text, agent_withdraw_count, agent_withdraw_amount::text
       FROM daily_statistics WHERE brand_id = $1 AND stat_date = $2 ORDER BY agent_id`,
    [brand, day],
  );
  return Object.fromEntries(rows.map((r) => [r.agent_id, r]));
}

async function health(url: string): Promise<{ http: number; body: any }> {
  const res = await fetch(url);
  return { http: res.status, body: await res.json() };
}

beforeAll(async () => {
  db = await createSuiteDatabase('admin_worker');
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  await loadFixture();
  await flushSuiteRedis(workerRedisUrl());
  redis = new Redis(workerRedisUrl());
  worker = await bootWorker(env({ WORKER_HEARTBEAT_FILE: HEARTBEAT }));
});

afterAll(async () => {
  await worker?.close();
  redis?.disconnect();
  await pg?.end();
  await db?.drop();
  await rm(HEARTBEAT, { force: true });
});

describe('daily statistics', () => {
  it('rolls up registrations, approved deposits and paid withdrawals per brand, per agent and per local day', async () => {
    const result = await worker.app.get(DailyStatisticsJob).run(NOW);
    expect(result.days).toEqual(['2026-03-10', '2026-03-09']);
    const { b1, b2, a1, a2 } = ids;

    const b1Today = await stats(b1, '2026-03-10');
    expect(b1Today[0]).toMatchObject({
      registrations: 2,
      deposit_count: 2,
      deposit_amount: '200000.50',
      withdraw_count: 1,
      withdraw_amount: '30000.00',
      agent_withdraw_count: 1,
      agent_withdraw_amount: '10000.00',
    });
    expect(b1Today[a1]).toMatchObject({
      registrations: 1,
      deposit_count: 1,
      deposit_amount: '150000.50',
      withdraw_count: 1,
    });
    expect(b1Today[a2]).toMatchObject({
      registrations: 1,
      deposit_count: 1,
      deposit_amount: '50000.00',
      agent_withdraw_count: 1,
    });

    const b1Yesterday = await stats(b1, '2026-03-09');
    expect(Object.keys(b1Yesterday)).toEqual(['0']);
    expect(b1Yesterday[0]).toMatchObject({
      registrations: 1,
      deposit_count: 1,
      deposit_amount: '20000.00',
      withdraw_count: 0,
    });

    const b2Today = await stats(b2, '2026-03-10');
    expect(b2Today[0]).toMatchObject({
      registrations: 2,
      deposit_count: 1,
      deposit_amount: '70000.00',
      agent_withdraw_count: 0,
    });
    expect(b2Today[a1]).toMatchObject({ registrations: 1, deposit_count: 1, deposit_amount: '70000.00' });
    expect(b2Today[a2]).toBeUndefined();
  });

  it('is idempotent: a rerun gives the same rows', async () => {
    const before = await stats(ids.b1, '2026-03-10');
    await worker.app.get(DailyStatisticsJob).run(NOW);
    expect(await stats(ids.b1, '2026-03-10')).toEqual(before);
  });
});

describe('attendance', () => {
  it('counts distinct successful logins per brand, agent and local day without touching the money columns', async () => {
    await worker.app.get(AttendanceJob).run(NOW);
    const { b1, b2, a1 } = ids;
    const b1Today = await stats(b1, '2026-03-10');
    expect(b1Today[0].login_players).toBe(2); // p1 twice, p3 after midnight in Seoul; p2's failed login ignored
    expect(b1Today[a1].login_players).toBe(1);
    expect(b1Today[0].deposit_amount).toBe('200000.50');
    expect((await stats(b2, '2026-03-10'))[0].login_players).toBe(1);
    expect((await stats(b1, '2026-03-09'))[0].login_players).toBe(0);

    // and the statistics rollup keeps attendance intact
    await worker.app.get(DailyStatisticsJob).run(NOW);
    expect((await stats(b1, '2026-03-10'))[0].login_players).toBe(2);
  });
});

describe('level checks', () => {
  it('raises levels from approved deposits with default thresholds in one brand and brand_config thresholds in the other', async () => {
    const result = await worker.app.get(LevelCheckJob).run(NOW);
    expect(result.brands).toEqual([
      { brand_id: ids.b1, raised: 2 },
      { brand_id: ids.b2, raised: 1 },
    ]);
    const { rows } = await pg.query<{ account: string; level: number }>(
      `SELECT account, level FROM player ORDER BY id`,
    );
    const levels = Object.fromEntries(rows.map((r) => [r.account, r.level]));
    expect(levels).toEqual({ p1: 2, p2: 1, p3: 1, pOld: 3, pVip: 7, q1: 6, q2: 1 });
  });
});

describe('expirations', () => {
  it('expires past-due granted coupons (with a coupon_log row) and stale pending deposits per brand setting', async () => {
    const result = await worker.app.get(ExpirationJob).run(NOW);
    expect(result.brands).toEqual([
      { brand_id: ids.b1, coupons: 1, deposits: 1 },
      { brand_id: ids.b2, coupons: 1, deposits: 1 },
    ]);
    const coupons = Object.fromEntries(
      (await pg.query<{ id: string; status: string }>(`SELECT id, status FROM coupon`)).rows.map((r) => [
        Number(r.id),
        r.status,
      ]),
    );
    expect(coupons[ids.cExpired]).toBe('expired');
    expect(coupons[ids.cExpiredB2]).toBe('expired');
    expect(coupons[ids.cFuture]).toBe('granted');
    expect(coupons[ids.cUsed]).toBe('used');
    expect(coupons[ids.cForever]).toBe('granted');
    const logs = await pg.query<{ brand_id: number; coupon_id: string; action: string }>(
      `SELECT brand_id, coupon_id, action FROM coupon_log ORDER BY id`,
    );
    expect(logs.rows.map((r) => [r.brand_id, Number(r.coupon_id), r.action])).toEqual([
      [ids.b1, ids.cExpired, 'expire'],
      [ids.b2, ids.cExpiredB2, 'expire'],
    ]);

    const deposits = Object.fromEntries(
      (await pg.query<{ id: string; status: string }>(`SELECT id, status FROM player_deposit`)).rows.map(
        (r) => [Number(r.id), r.status],
      ),
    );
    expect(deposits[ids.pendingOld]).toBe('expired'); // 30 h > brand 1's default 24 h
    expect(deposits[ids.pending3hB1]).toBe('pending'); // 3 h < 24 h
    expect(deposits[ids.pendingFresh]).toBe('pending');
    expect(deposits[ids.pending3hB2]).toBe('expired'); // brand 2 configured 2 h
    const withdraw = await pg.query(`SELECT status FROM player_withdraw WHERE id = $1`, [
      ids.oldPendingWithdraw,
    ]);
    expect(withdraw.rows[0].status).toBe('pending');

    const again = await worker.app.get(ExpirationJob).run(NOW);
    expect(again.brands).toEqual([
      { brand_id: ids.b1, coupons: 0, deposits: 0 },
      { brand_id: ids.b2, coupons: 0, deposits: 0 },
    ]);
  });
});

describe('tags', () => {
  it('projects per-brand player segments into Redis sets', async () => {
    await worker.app.get(TagJob).run(NOW);
    const members = async (brand: number, tag: 'new' | 'depositor' | 'dormant' | 'vip') =>
      (await redis.smembers(playerTagKey(brand, tag))).map(Number).sort((a, b) => a - b);
    const { b1, b2 } = ids;
    expect(await members(b1, 'new')).toEqual([ids.p1, ids.p2, ids.p3]);
    expect(await members(b1, 'depositor')).toEqual([ids.p1, ids.p2, ids.p3, ids.pOld, ids.pVip]);
    expect(await members(b1, 'dormant')).toEqual([ids.pOld, ids.pVip]);
    expect(await members(b1, 'vip')).toEqual([ids.pVip]);
    expect(await members(b2, 'new')).toEqual([ids.q1, ids.q2]);
    expect(await members(b2, 'depositor')).toEqual([ids.q1]);
    expect(await members(b2, 'dormant')).toEqual([]);
    expect(await members(b2, 'vip')).toEqual([ids.q1, ids.q2]); // vip_min_level 1 in brand 2
  });
});

describe('domain-map reconciliation', () => {
  it('writes both brands domains, rewrites drifted values and removes stale keys', async () => {
    await redis.set('domain:agent:gone.test', JSON.stringify({ agent_id: 99, brand_id: 1 }));
    await redis.set('domain:level:gone.test', JSON.stringify({ level: 1, brand_id: 1 }));
    await redis.set('domain:agent:a1.brand1.test', JSON.stringify({ agent_id: ids.a1, brand_id: ids.b2 }));

    const result = await worker.app.get(DomainMapJob).run(NOW);
    expect(result).toMatchObject({ written: 3, removed: 2 });
    expect(await redis.exists('domain:agent:gone.test', 'domain:level:gone.test')).toBe(0);
    const resolve = async (host: string) =>
      parseBinding(await redis.get(`domain:agent:${host}`), await redis.get(`domain:level:${host}`));
    expect(await resolve('a1.brand1.test')).toEqual({ brandId: ids.b1, agentId: ids.a1, level: null });
    expect(await resolve('a1.brand2.test')).toEqual({ brandId: ids.b2, agentId: ids.a1, level: null });
    expect(await resolve('vip.brand2.test')).toEqual({ brandId: ids.b2, agentId: null, level: 3 });

    const again = await worker.app.get(DomainMapJob).run(NOW);
    expect(again).toMatchObject({ written: 0, removed: 0 });
  });
});

describe('Vera sync', () => {
  it('is off without VERA_SYNC_URL', async () => {
    const outcome = await worker.app.get(JobRunner).run(worker.app.get(VeraSyncJob), NOW);
    expect(outcome).toEqual({ outcome: 'skipped', reason: 'disabled' });
    const { body } = await health(worker.healthUrl);
    expect(body.data.vera_sync).toBe('disabled');
    expect(body.data.details.jobs.vera_sync.enabled).toBe(false);
  });

  describe('with VERA_SYNC_URL', () => {
    let server: Server;
    let vera: BootedWorker;
    const received: Array<{ headers: IncomingHttpHeaders; body: any }> = [];
    let answer = 200;

    beforeAll(async () => {
      server = createServer((req, res) => {
        let raw = '';
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
          received.push({ headers: req.headers, body: JSON.parse(raw) });
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      vera = await bootWorker(env({ VERA_SYNC_URL: `http://127.0.0.1:${port}/sync` }));
    });

    afterAll(async () => {
      await vera?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("posts each brand's closed day, brand by brand", async () => {
      const outcome = await vera.app.get(JobRunner).run(vera.app.get(VeraSyncJob), NOW);
      expect(outcome.outcome).toBe('success');
      expect(received.map((r) => r.headers['x-brand-id'])).toEqual([String(ids.b1), String(ids.b2)]);
      expect(received[0].body).toMatchObject({
        brand_id: ids.b1,
        brand_code: 'default',
        stat_date: '2026-03-09',
        statistics: { registrations: 1, deposit_count: 1, deposit_amount: '20000.00' },
      });
      expect(received[1].body).toMatchObject({
        brand_id: ids.b2,
        brand_code: 'wb2',
        stat_date: '2026-03-09',
        statistics: { registrations: 0, deposit_count: 0, deposit_amount: '0.00' },
      });
    });

    it('records a failed run on /health (503, jobs down) until the next success', async () => {
      answer = 500;
      const failed = await vera.app.get(JobRunner).run(vera.app.get(VeraSyncJob), NOW);
      expect(failed.outcome).toBe('failure');
      let res = await health(vera.healthUrl);
      expect(res.http).toBe(503);
      expect(res.body.status).toBe(7);
      expect(res.body.data.checks.jobs).toBe('down');
      const state = res.body.data.details.jobs.vera_sync;
      expect(state.last_failure_at).not.toBeNull();
      expect(state.last_error).toContain('HTTP 500');
      expect(state.last_success_at).not.toBeNull(); // from the previous test
      // Liveness (/healthz) is not affected: a restart would wipe the failure, not fix it.
      const live = await health(`${vera.healthUrl}z`);
      expect([live.http, live.body.status]).toEqual([200, 0]);
      expect(live.body.data.checks).toEqual({ scheduler: 'ok' });

      answer = 200;
      expect((await vera.app.get(JobRunner).run(vera.app.get(VeraSyncJob), NOW)).outcome).toBe('success');
      res = await health(vera.healthUrl);
      expect(res.http).toBe(200);
      expect(res.body.data.checks.jobs).toBe('ok');
      expect(res.body.data.details.jobs.vera_sync.last_error).toBeNull();
      expect(res.body.data.details.jobs.vera_sync.last_failure_at).not.toBeNull();
    });
  });
});

describe('health and heartbeat', () => {
  it('exposes each job with its last success and failure on /health', async () => {
    await worker.app.get(JobRunner).run(worker.app.get(DailyStatisticsJob), NOW);
    const { http, body } = await health(worker.healthUrl);
    expect(http).toBe(200);
    expect(body.data.service).toBe('admin_worker');
    expect(body.data.checks).toMatchObject({ db: 'ok', redis: 'ok', jobs: 'ok', scheduler: 'ok' });
    const jobs = body.data.details.jobs;
    expect(Object.keys(jobs).sort()).toEqual(
      [
        'attendance',
        'daily_statistics',
        'domain_map',
        'expiration',
        'level_check',
        'tags',
        'vera_sync',
      ].sort(),
    );
    expect(jobs.daily_statistics).toMatchObject({
      enabled: true,
      running: false,
      last_error: null,
      last_failure_at: null,
    });
    expect(Date.parse(jobs.daily_statistics.last_success_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(jobs.tags.last_success_at).toBeNull(); // run directly above, not through the runner
  });

  it('writes the heartbeat file with the job summary', async () => {
    await worker.app.get(JobRunner).run(worker.app.get(AttendanceJob), NOW);
    await new Promise((r) => setTimeout(r, 100));
    const beat = JSON.parse(await readFile(HEARTBEAT, 'utf8'));
    expect(beat.service).toBe('admin_worker');
    expect(Date.parse(beat.timestamp)).toBeGreaterThan(Date.now() - 10_000);
    expect(beat.jobs.attendance.last_success_at).not.toBeNull();
  });

  it('registers every job with the scheduler when cron ticks are on', async () => {
    const scheduled = await bootWorker(env(), true);
    try {
      const { http, body } = await health(scheduled.healthUrl);
      expect(http).toBe(200);
      expect(body.data.checks.scheduler).toBe('ok');
      expect([...body.data.details.scheduler.active_cron_jobs].sort()).toEqual(
        [
          'attendance',
          'daily_statistics',
          'domain_map',
          'expiration',
          'level_check',
          'tags',
          'vera_sync',
        ].sort(),
      );
      // Liveness runs the scheduler check only; once the cron jobs stop, it fails (a restart helps).
      expect((await health(`${scheduled.healthUrl}z`)).body.data.checks).toEqual({ scheduler: 'ok' });
      scheduled.app.get(SchedulerRegistry).getCronJob('tags').stop();
      const stopped = await health(`${scheduled.healthUrl}z`);
      expect([stopped.http, stopped.body.status, stopped.body.data.checks]).toEqual([
        503,
        7,
        { scheduler: 'down' },
      ]);
    } finally {
      await scheduled.close();
    }
  });
});
