/**
 * Two-brand end-to-end harness (issue 7 point 1; ADR-009 Phase 14 and the
 * Phase 16 operator flip): the seven built apps run as real processes on a
 * fresh database and Redis; the first operator comes from the CLI, every
 * other piece of set-up goes through the admin API only, and each journey is
 * walked the way a player, an agent or an operator sees it (CONTRACTS §2-§11).
 * Processes are torn down by PID in afterAll.
 */
import { Client } from 'pg';
import Redis from 'ioredis';
import { ensureCliBuilt, runOps } from '../ops/support';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { makeKeyPair, type TestKeyPair } from '../support/keys';
import { freePort, type RunningApp } from '../support/processes';
import { flushSuiteRedis, suiteRedisUrl } from '../support/redis';
import type { DownstreamDouble } from '../support/downstream-double';
import {
  call,
  commonEnv,
  exposedCode,
  heartbeatDir,
  launch,
  metricSum,
  openAdminSocket,
  readStream,
  runOpsDuring,
  startDoubles,
  tokenOf,
  waitFor,
  type DoubleName,
  type Reply,
} from './harness';

jest.setTimeout(60_000);

const HOST_A = 'a.system.test';
const HOST_B = 'b.system.test';
const OPERATOR = { account: 'ops', password: 'ops-password-0123' };
const AGENT = { account: 'sysagent', password: 'agent-pass-0123' };
const TWIN = { account: 'twin01', password: 'twin-pass-0123', phone: '+821055501234' };
const COUPONEE = { account: 'couponee01', password: 'coupon-pass-0123' };

let db: SuiteDatabase;
let pg: Client;
let redis: Redis;
let redisUrl: string;
let keys: TestKeyPair;
let doubles: Record<DoubleName, DownstreamDouble>;
let common: Record<string, string>;
let dir: string;
const apps: Record<string, RunningApp> = {};

let adminToken = '';
let brandA = 0;
let brandB = 0;
let agentId = 0;
let providerOne = 0;
let providerTwo = 0;
const twinIds: Record<string, number> = {};
let couponeeId = 0;

const gw = () => apps.gateway.url;
const admin = (method: string, path: string, body?: unknown): Promise<Reply> =>
  call(apps.admin.url, method, path, { token: adminToken, body });

/** Fails with the whole reply in the message, so a refused bootstrap step says why. */
function expectOk(reply: Reply, what: string): any {
  if (reply.body.status !== 0)
    throw new Error(`${what} failed: HTTP ${reply.http} ${JSON.stringify(reply.body)}`);
  return reply.body.data;
}

async function playerLogin(host: string, password = TWIN.password): Promise<Reply> {
  return call(gw(), 'POST', '/api/v1/user/login', { host, body: { account: TWIN.account, password } });
}

async function stopAll(): Promise<void> {
  await Promise.all(Object.values(apps).map((a) => a.stop().catch(() => null)));
}

beforeAll(async () => {
  [db, doubles] = await Promise.all([createSuiteDatabase('system'), startDoubles(), ensureCliBuilt()]).then(
    ([d, ds]) => [d, ds] as const,
  );
  redisUrl = suiteRedisUrl();
  await flushSuiteRedis(redisUrl);
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  keys = makeKeyPair('system-kid-1');
  dir = heartbeatDir();
  const playerPort = await freePort();
  common = commonEnv({
    databaseUrl: db.appUrl,
    redisUrl,
    keys,
    doubles,
    playerUrl: `http://127.0.0.1:${playerPort}`,
  });

  const operator = await runOps(
    ['create-operator', '--account', OPERATOR.account, '--password', OPERATOR.password],
    {
      DATABASE_URL: db.appUrl,
      PASSWORD_SALT: common.PASSWORD_SALT,
    },
  );
  if (operator.code !== 0) throw new Error(`create-operator failed: ${operator.stdout}\n${operator.stderr}`);
  expect(operator.stdout).toMatch(/operator_id=\d+/);
  expect(operator.stdout + operator.stderr).not.toContain(OPERATOR.password);

  // The agent runs enforce from the start (allow-list revocation answers 52 only
  // there); the gateway starts in observe and is restarted in enforce later.
  const plan: [string, 'observe' | 'enforce', number?][] = [
    ['player', 'observe', playerPort],
    ['admin', 'observe'],
    ['agent', 'enforce'],
    ['gateway', 'observe'],
    ['player-worker', 'observe'],
    ['agent-worker', 'observe'],
    ['admin-worker', 'observe'],
  ];
  const results = await Promise.allSettled(
    plan.map(async ([app, mode, port]) => {
      apps[app] = await launch(app, common, mode, dir, port);
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new Error(failed.map((f) => String(f.reason)).join('\n'));

  // Bootstrap through the admin API only.
  const login = await call(apps.admin.url, 'POST', '/api/v1/auth/login', { body: OPERATOR });
  adminToken = expectOk(login, 'admin login').token as string;
  brandA = expectOk(
    await admin('POST', '/api/v1/brands', { brand_code: 'alpha', name: 'Alpha', default_currency: 'KRW' }),
    'create brand A',
  ).id as number;
  brandB = expectOk(
    await admin('POST', '/api/v1/brands', { brand_code: 'bravo', name: 'Bravo', default_currency: 'USD' }),
    'create brand B',
  ).id as number;
  agentId = expectOk(await admin('POST', '/api/v1/agents', AGENT), 'create agent').agent_id as number;
  for (const [brand, host] of [
    [brandA, HOST_A],
    [brandB, HOST_B],
  ] as const) {
    expectOk(
      await admin('PUT', `/api/v1/agents/${agentId}/brands/${brand}`, { status: 'enabled' }),
      `enable agent for brand ${brand}`,
    );
    expectOk(
      await admin('POST', `/api/v1/agents/${agentId}/domains`, { brand_id: brand, domain: host }),
      `map ${host}`,
    );
  }
  providerOne = expectOk(
    await admin('POST', '/api/v1/providers', { code: 'sysone', name: 'System One' }),
    'provider 1',
  ).id as number;
  providerTwo = expectOk(
    await admin('POST', '/api/v1/providers', { code: 'systwo', name: 'System Two' }),
    'provider 2',
  ).id as number;
  // Brand A allows provider 1 only (the first PATCH materializes every visible provider, seed 004).
  expectOk(
    await admin('PATCH', `/api/v1/brands/${brandA}/providers/${providerOne}`, { enabled: true }),
    'allow provider 1 in brand A',
  );
  expectOk(
    await admin('PATCH', `/api/v1/brands/${brandA}/providers/${providerTwo}`, { enabled: false }),
    'drop provider 2 in brand A',
  );
}, 150_000);

afterAll(async () => {
  await stopAll();
  redis?.disconnect();
  await pg?.end().catch(() => undefined);
  await Promise.all(Object.values(doubles ?? {}).map((d) => d.close()));
  await db?.drop();
}, 60_000);

describe('two brands, seven processes', () => {
  it('registers the same account in both brands as two different players', async () => {
    for (const [host, brand] of [
      [HOST_A, brandA],
      [HOST_B, brandB],
    ] as const) {
      const res = await call(gw(), 'POST', '/api/v1/user/register', { host, body: TWIN });
      expect(res.body).toMatchObject({ status: 0, data: { account: TWIN.account, brand_id: brand } });
      twinIds[host] = res.body.data.player_id as number;
    }
    expect(twinIds[HOST_A]).not.toBe(twinIds[HOST_B]);
    // A second registration of the same account in the same brand is a conflict, not a new player.
    const again = await call(gw(), 'POST', '/api/v1/user/register', { host: HOST_A, body: TWIN });
    expect(again.body.status).not.toBe(0);
  });

  it('logs in, reads info and logs out in each brand; the session is gone after logout', async () => {
    for (const [host, brand] of [
      [HOST_A, brandA],
      [HOST_B, brandB],
    ] as const) {
      const login = await playerLogin(host);
      expect(login.body).toMatchObject({
        status: 0,
        data: { player: { player_id: twinIds[host], account: TWIN.account, brand_id: brand } },
      });
      const token = login.body.data.token as string;
      expect(await redis.exists(`user-session:brand:${brand}:${TWIN.account}`)).toBe(1);
      const info = await call(gw(), 'GET', '/api/v1/user/info', { host, token });
      expect(info.body).toMatchObject({ status: 0, data: { player_id: twinIds[host], brand_id: brand } });
      const logout = await call(gw(), 'POST', '/api/v1/user/logout', { host, token });
      expect(logout.body).toMatchObject({ status: 0, data: null });
      expect(await redis.exists(`user-session:brand:${brand}:${TWIN.account}`)).toBe(0);
      const after = await call(gw(), 'GET', '/api/v1/user/info', { host, token });
      expect(after.http).toBe(200);
      expect(after.body.status).toBe(3);
    }
  });

  it('observe: a brand-A token on the brand-B domain passes and is counted as jwt_brand_mismatch', async () => {
    const token = (await playerLogin(HOST_A)).body.data.token as string;
    const labels = { reason: 'jwt_brand_mismatch' };
    const before = await metricSum(gw(), 'brand_resolution_failed_total', labels);
    const res = await call(gw(), 'GET', '/api/v1/user/info', { host: HOST_B, token });
    expect(res.body.status).not.toBe(51);
    expect(res.http).not.toBe(403);
    expect(await metricSum(gw(), 'brand_resolution_failed_total', labels)).toBe(before + 1);
  });

  it('flip-enforcement refuses to recommend enforce while brand failures grow during the soak', async () => {
    const services = [gw(), apps.player.url, apps.admin.url].join(',');
    let unresolved: Reply | null = null;
    const result = await runOpsDuring(
      ['flip-enforcement', '--services', services, '--soak-seconds', '2'],
      {},
      /soaking/,
      async () => {
        await new Promise((r) => setTimeout(r, 500));
        // A domain that maps to no brand: refused with 50 in observe and counted.
        unresolved = await call(gw(), 'POST', '/api/v1/user/login', {
          host: 'nowhere.system.test',
          body: { account: TWIN.account, password: TWIN.password },
        });
      },
    );
    expect(result.duringError).toBeNull();
    expect((unresolved as Reply | null)?.body.status).toBe(50);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/brand_resolution_failed_total.*grew/);
    expect(result.stdout).not.toMatch(/^MULTI_BRAND_ENFORCEMENT=enforce/m);
  });

  it('enforce: after a gateway restart the brand-A token on the brand-B domain is refused with 51', async () => {
    const port = apps.gateway.port;
    await apps.gateway.stop();
    apps.gateway = await launch('gateway', common, 'enforce', dir, port);
    const token = (await playerLogin(HOST_A)).body.data.token as string;
    const refused = await call(gw(), 'GET', '/api/v1/user/info', { host: HOST_B, token });
    expect(refused.http).toBe(403);
    expect(refused.body.status).toBe(51);
    const own = await call(gw(), 'GET', '/api/v1/user/info', { host: HOST_A, token });
    expect(own.body).toMatchObject({ status: 0, data: { brand_id: brandA } });
  });

  it('recovers the password in both brands; each new password works only in its own brand', async () => {
    const newPassword: Record<string, string> = {
      [HOST_A]: 'recovered-a-0123',
      [HOST_B]: 'recovered-b-0123',
    };
    for (const host of [HOST_A, HOST_B]) {
      const offset = apps.player.output().length;
      const req = await call(gw(), 'POST', '/api/v1/user/recovery/request', {
        host,
        body: { contact: TWIN.phone },
      });
      expect(req.body).toMatchObject({ status: 0, data: { accepted: true } });
      const code = await waitFor(
        'an exposed recovery code',
        async () => exposedCode(apps.player.output(), offset),
        5000,
      );
      const wrong = await call(gw(), 'POST', '/api/v1/user/recovery/verify', {
        host,
        body: { contact: TWIN.phone, code: code === '000000' ? '111111' : '000000' },
      });
      expect(wrong.body.status).toBe(1);
      const verify = await call(gw(), 'POST', '/api/v1/user/recovery/verify', {
        host,
        body: { contact: TWIN.phone, code },
      });
      expect(verify.body.status).toBe(0);
      const resetToken = verify.body.data.reset_token as string;
      const reset = await call(gw(), 'POST', '/api/v1/user/recovery/reset', {
        host,
        body: { reset_token: resetToken, new_password: newPassword[host] },
      });
      expect(reset.body).toMatchObject({ status: 0, data: null });
      // The reset token is single use.
      const replay = await call(gw(), 'POST', '/api/v1/user/recovery/reset', {
        host,
        body: { reset_token: resetToken, new_password: 'another-pass-0123' },
      });
      expect(replay.body.status).not.toBe(0);
    }
    expect((await playerLogin(HOST_A, newPassword[HOST_A])).body.status).toBe(0);
    expect((await playerLogin(HOST_B, newPassword[HOST_B])).body.status).toBe(0);
    expect((await playerLogin(HOST_B, newPassword[HOST_A])).body.status).toBe(1);
    expect((await playerLogin(HOST_A, newPassword[HOST_B])).body.status).toBe(1);
    expect((await playerLogin(HOST_A, TWIN.password)).body.status).toBe(1);
    expect(apps.player.output()).not.toContain(newPassword[HOST_A]);
  });

  it('publishes PLAYER_REGISTERED for both brands on events:player through the player worker', async () => {
    const events = await waitFor('PLAYER_REGISTERED in both brands', async () => {
      const all = (await readStream(redis, 'events:player')).filter(
        (e) => e.event_type === 'PLAYER_REGISTERED',
      );
      return all.some((e) => e.brand_id === brandA) && all.some((e) => e.brand_id === brandB) ? all : null;
    });
    const a = events.find((e) => e.brand_id === brandA && e.aggregate_id === String(twinIds[HOST_A]));
    const b = events.find((e) => e.brand_id === brandB && e.aggregate_id === String(twinIds[HOST_B]));
    expect(a).toMatchObject({ schema_version: 2, producer: 'player_service' });
    expect(b).toMatchObject({ schema_version: 2, producer: 'player_service' });
  });

  it('lets the agent log in on both brand domains and grant a coupon, published on events:agent', async () => {
    // A player registered on the agent's brand-A domain (legacy alias: the gateway injects `domain`).
    const reg = await call(gw(), 'POST', '/user/register', { host: HOST_A, body: COUPONEE });
    expect(reg.body).toMatchObject({ status: 0, data: { brand_id: brandA } });
    couponeeId = reg.body.data.player_id as number;

    for (const [host, brand] of [
      [HOST_A, brandA],
      [HOST_B, brandB],
    ] as const) {
      const login = await call(apps.agent.url, 'POST', '/agent/login', { host, body: AGENT });
      expect(login.body).toMatchObject({
        status: 0,
        data: { brand_id: brand, agent: { agent_id: agentId } },
      });
      const info = await call(apps.agent.url, 'GET', '/agent/info', { host, token: login.body.data.token });
      expect(info.body.status).toBe(0);
    }
    const token = (await call(apps.agent.url, 'POST', '/agent/login', { host: HOST_A, body: AGENT })).body
      .data.token as string;
    const grant = await call(apps.agent.url, 'POST', '/agent/coupon/grant', {
      host: HOST_A,
      token,
      body: { player_id: couponeeId, amount: '100.00' },
    });
    expect(grant.body.status).toBe(0);
    const event = await waitFor('AGENT_COUPON_GRANTED on events:agent', async () =>
      (await readStream(redis, 'events:agent')).find((e) => e.event_type === 'AGENT_COUPON_GRANTED'),
    );
    expect(event).toMatchObject({ brand_id: brandA, schema_version: 2, producer: 'agent_service' });
    expect(event.payload).toMatchObject({ player_id: couponeeId });
  });

  it('refuses the agent with 52 on brand A right after admin disables it there (AGENT_BRAND_CHANGED)', async () => {
    const loginA = await call(apps.agent.url, 'POST', '/agent/login', { host: HOST_A, body: AGENT });
    const tokenA = loginA.body.data.token as string;
    const loginB = await call(apps.agent.url, 'POST', '/agent/login', { host: HOST_B, body: AGENT });
    const tokenB = loginB.body.data.token as string;
    // Warm the agent's allow-list cache, so the refusal below proves the pub/sub invalidation.
    expect(
      (await call(apps.agent.url, 'GET', '/agent/info', { host: HOST_A, token: tokenA })).body.status,
    ).toBe(0);

    expectOk(
      await admin('PUT', `/api/v1/agents/${agentId}/brands/${brandA}`, { status: 'disabled' }),
      'disable A',
    );
    const refused = await waitFor(
      'a 52 from the agent app',
      async () => {
        const r = await call(apps.agent.url, 'GET', '/agent/info', { host: HOST_A, token: tokenA });
        return r.body.status === 52 ? r : null;
      },
      1500,
    );
    expect(refused.http).toBe(403);
    expect(
      (await call(apps.agent.url, 'GET', '/agent/info', { host: HOST_B, token: tokenB })).body.status,
    ).toBe(0);
    const relogin = await call(apps.agent.url, 'POST', '/agent/login', { host: HOST_A, body: AGENT });
    expect(relogin.body.status).toBe(52);

    expectOk(
      await admin('PUT', `/api/v1/agents/${agentId}/brands/${brandA}`, { status: 'enabled' }),
      'enable A',
    );
    const back = await waitFor(
      'the agent allowed again',
      async () => {
        const r = await call(apps.agent.url, 'GET', '/agent/info', { host: HOST_A, token: tokenA });
        return r.body.status === 0 ? r : null;
      },
      1500,
    );
    expect(back.http).toBe(200);
  });

  it('applies the provider allow list changed in admin at the gateway launch precheck', async () => {
    const launcher = { account: 'launcher01', password: 'launch-pass-0123' };
    const reg = await call(gw(), 'POST', '/api/v1/user/register', { host: HOST_A, body: launcher });
    expect(reg.body.status).toBe(0);
    const login = await call(gw(), 'POST', '/api/v1/user/login', { host: HOST_A, body: launcher });
    const token = login.body.data.token as string;
    const launchGame = (providerId: number) =>
      call(gw(), 'POST', '/api/v1/game/launch', {
        host: HOST_A,
        token,
        body: { provider_id: providerId, game_id: 'g1' },
      });
    const launches = () => doubles.game.calls.filter((c) => c.path === '/integration/launch');

    doubles.game.reset();
    const allowed = await launchGame(providerOne);
    expect(allowed.body).toMatchObject({ status: 0, data: { url: 'https://game.example/launch/abc' } });
    expect(launches()).toHaveLength(1);
    expect(launches()[0]).toMatchObject({ caller: 'gateway', tokenValid: true, brandId: brandA });
    expect(launches()[0].body).toMatchObject({
      provider_id: providerOne,
      player_id: reg.body.data.player_id,
    });

    const refused = await launchGame(providerTwo);
    expect(refused.http).toBe(403);
    expect(refused.body.status).toBe(4);
    expect(launches()).toHaveLength(1);

    // Swap the list in admin: provider 2 on, provider 1 off.
    expectOk(
      await admin('PATCH', `/api/v1/brands/${brandA}/providers/${providerTwo}`, { enabled: true }),
      'allow 2',
    );
    expectOk(
      await admin('PATCH', `/api/v1/brands/${brandA}/providers/${providerOne}`, { enabled: false }),
      'drop 1',
    );
    expect((await launchGame(providerTwo)).body.status).toBe(0);
    expect(launches()).toHaveLength(2);
    const now = await launchGame(providerOne);
    expect(now.body.status).toBe(4);
    expect(launches()).toHaveLength(2);
  });

  it('pushes top-info over the admin WebSocket after a deposit is created', async () => {
    const wsUrl = `${apps.admin.url.replace('http', 'ws')}/api/v1/ws`;
    const socket = openAdminSocket(wsUrl, adminToken);
    try {
      const initial = await socket.nextFrame('top_info');
      const pendingA = (f: { data: any }) =>
        (f.data.brands as { brand_id: number; pending_deposits: number }[]).find((b) => b.brand_id === brandA)
          ?.pending_deposits;
      const before = pendingA(initial);
      expect(typeof before).toBe('number');
      await pg.query(`INSERT INTO player_deposit (brand_id, player_id, amount) VALUES ($1, $2, 250)`, [
        brandA,
        twinIds[HOST_A],
      ]);
      const refresh = await call(apps.admin.url, 'POST', '/internal/meta/top-info/refresh', {
        body: { brand_id: brandA },
        headers: { 'x-caller-service': 'game', 'x-internal-service-token': tokenOf('game') },
      });
      expect(refresh.body.status).toBe(0);
      const pushed = await socket.nextFrame(
        'top_info',
        (f) => f !== initial && pendingA(f) === (before as number) + 1,
      );
      expect(pendingA(pushed)).toBe((before as number) + 1);
    } finally {
      socket.ws.close();
    }
  });

  it('rotate-jwt-kid confirms every verifier knows the current kid and publishes the change', async () => {
    const verifiers = [gw(), apps.player.url, apps.agent.url, apps.admin.url].join(',');
    const ok = await runOps(['rotate-jwt-kid', '--kid', keys.kid, '--services', verifiers], {
      REDIS_URL: redisUrl,
    });
    expect({ code: ok.code, out: ok.stdout + ok.stderr }).toMatchObject({ code: 0 });
    const unknown = await runOps(['rotate-jwt-kid', '--kid', 'never-deployed', '--services', verifiers], {
      REDIS_URL: redisUrl,
    });
    expect(unknown.code).toBe(1);
  });

  it('rebuild-domain-maps restores the Redis domain projection from PostgreSQL', async () => {
    await redis.del(`domain:agent:${HOST_A}`, `domain:agent:${HOST_B}`);
    const res = await runOps(['rebuild-domain-maps'], { DATABASE_URL: db.appUrl, REDIS_URL: redisUrl });
    expect({ code: res.code, out: res.stdout + res.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse((await redis.get(`domain:agent:${HOST_A}`)) ?? 'null')).toEqual({
      agent_id: agentId,
      brand_id: brandA,
    });
    expect(JSON.parse((await redis.get(`domain:agent:${HOST_B}`)) ?? 'null')).toEqual({
      agent_id: agentId,
      brand_id: brandB,
    });
  });

  it('release-gate fails with the test environment (per-caller tokens not required)', async () => {
    const res = await runOps(['release-gate'], { PER_CALLER_TOKEN_REQUIRED: 'off' });
    expect(res.code).toBe(1);
    expect(res.stdout + res.stderr).toMatch(/PER_CALLER_TOKEN_REQUIRED/);
  });

  it('backfill-default-brand --dry-run reports and changes nothing', async () => {
    const count = async () =>
      Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM player`)).rows[0].n);
    const before = await count();
    const res = await runOps(['backfill-default-brand', '--dry-run'], { MIGRATION_DATABASE_URL: db.ownerUrl });
    expect({ code: res.code, out: res.stdout + res.stderr }).toMatchObject({ code: 0 });
    expect(res.stdout).toMatch(/dry/i);
    expect(await count()).toBe(before);
  });
});
