/**
 * Seed 004 "Admin WebSocket auth (T4-D-I7)" gate by gate, over real
 * PostgreSQL and Redis: the bearer subprotocol (echoing only `bearer`),
 * missing / invalid tokens (4001), the legacy query token (dev + flag only,
 * counted; 4003 in production), the per-IP accept limit (1008; behind a
 * trusted proxy, per forwarded client address), Redis
 * outage (production fails closed, dev fails open), closing at the token's
 * `exp`, and top-info pushed on connect and after a `/internal/meta/*` hook.
 */
import { Client } from 'pg';
import { AdminMetaModule } from '../../apps/admin/src/meta/admin-meta.module';
import { AdminWsModule } from '../../apps/admin/src/ws/admin-ws.module';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { jwtEnv, makeKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';
import {
  type AdminTestApp,
  bootAdminFeatures,
  closedWithin,
  createOperator,
  DEAD_REDIS_URL,
  freshLoopbackIp,
  issuerFor,
  metricValue,
  openSocket,
  PRODUCTION_ENV,
} from './harness';

jest.setTimeout(60_000);

const keys = makeKeyPair();
const otherKeys = makeKeyPair();
const issuer = issuerFor(keys);
const GAME_TOKEN = 'game-internal-token-for-tests';

let db: SuiteDatabase;
let pg: Client;
let dev: AdminTestApp;
let prod: AdminTestApp;
let brandTwo: number;
let operatorId: number;
let disabledOperatorId: number;

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: db.appUrl,
    REDIS_URL: suiteRedisUrl(),
    INTERNAL_SERVICE_TOKEN_GAME: GAME_TOKEN,
    ...jwtEnv(keys),
    ...extra,
  };
}

async function adminToken(adminId = operatorId): Promise<string> {
  return (await issuer.signAdmin({ adminId })).token;
}

beforeAll(async () => {
  db = await createSuiteDatabase('admin_ws');
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  const { rows } = await pg.query<{ id: number }>(
    `INSERT INTO brand (brand_code, name, default_currency) VALUES ('wsb', 'WS Brand', 'KRW') RETURNING id`,
  );
  brandTwo = rows[0].id;
  operatorId = await createOperator(pg);
  disabledOperatorId = await createOperator(pg, 'disabled');
  dev = await bootAdminFeatures(
    baseEnv({ ADMIN_WS_ALLOW_QUERY_TOKEN: 'on', ADMIN_WS_RATE_LIMIT_PER_MIN: '3' }),
    [AdminWsModule, AdminMetaModule],
  );
  prod = await bootAdminFeatures(baseEnv({ ...PRODUCTION_ENV, ADMIN_WS_ALLOW_QUERY_TOKEN: 'on' }), [
    AdminWsModule,
  ]);
});

afterAll(async () => {
  await dev?.close();
  await prod?.close();
  await pg?.end();
  await db?.drop();
});

describe('bearer subprotocol', () => {
  it.each(['/api/v1/ws', '/ws'])(
    'accepts the token in Sec-WebSocket-Protocol on %s and echoes only "bearer"',
    async (path) => {
      const token = await adminToken();
      const socket = openSocket(dev.wsUrl(path), { protocols: ['bearer', token] });
      expect(await socket.opened).toBe(true);
      expect(await socket.echoedProtocol).toBe('bearer');
      expect(socket.ws.protocol).toBe('bearer');
      const first = await socket.nextFrame('top_info');
      expect(first.data.brands.map((b: { brand_id: number }) => b.brand_id)).toEqual([1, brandTwo]);
      socket.ws.send(JSON.stringify({ event: 'ping' }));
      expect((await socket.nextFrame('pong')).event).toBe('pong');
      socket.ws.close();
    },
  );

  it('closes 4001 when no token is offered', async () => {
    const socket = openSocket(dev.wsUrl());
    expect((await closedWithin(socket)).code).toBe(4001);
    expect(socket.frames).toEqual([]);
  });

  it.each([
    ['a malformed token', async () => 'not-a-jwt'],
    [
      'a token signed by an unknown key',
      async () => (await issuerFor(otherKeys).signAdmin({ adminId: operatorId })).token,
    ],
    [
      'a player token',
      async () => (await issuer.signPlayer({ playerId: 1, account: 'p', brandId: 1 })).token,
    ],
    ['an admin token without admin_id', async () => (await issuer.sign({}, { typ: 'admin' })).token],
    ['a token of a disabled operator', () => adminToken(disabledOperatorId)],
    ['a token naming no operator', () => adminToken(2_000_000)],
  ])('closes 4001 for %s and sends no top-info', async (_label, mint) => {
    const socket = openSocket(dev.wsUrl(), { protocols: ['bearer', await mint()] });
    expect((await closedWithin(socket)).code).toBe(4001);
    expect(socket.frames).toEqual([]);
  });
});

describe('legacy ?token= query string', () => {
  it('is accepted outside production when ADMIN_WS_ALLOW_QUERY_TOKEN=on, and counted', async () => {
    const before = await metricValue('admin_ws_legacy_query_token_total');
    const socket = openSocket(`${dev.wsUrl()}?token=${await adminToken()}`);
    expect(await socket.opened).toBe(true);
    expect((await socket.nextFrame('top_info')).event).toBe('top_info');
    expect(await metricValue('admin_ws_legacy_query_token_total')).toBe(before + 1);
    socket.ws.close();
  });

  it('is ignored (4001) outside production when the flag is off', async () => {
    const off = await bootAdminFeatures(baseEnv({ ADMIN_WS_ALLOW_QUERY_TOKEN: 'off' }), [AdminWsModule]);
    try {
      const before = await metricValue('admin_ws_legacy_query_token_total');
      const socket = openSocket(`${off.wsUrl()}?token=${await adminToken()}`);
      expect((await closedWithin(socket)).code).toBe(4001);
      expect(await metricValue('admin_ws_legacy_query_token_total')).toBe(before);
    } finally {
      await off.close();
    }
  });

  it('closes 4003 in production even with the flag on and a valid subprotocol token', async () => {
    const token = await adminToken();
    const socket = openSocket(`${prod.wsUrl()}?token=${token}`, { protocols: ['bearer', token] });
    expect((await closedWithin(socket)).code).toBe(4003);
    expect(socket.frames).toEqual([]);
  });

  it('production still accepts the bearer subprotocol', async () => {
    const socket = openSocket(prod.wsUrl('/ws'), { protocols: ['bearer', await adminToken()] });
    expect(await socket.echoedProtocol).toBe('bearer');
    expect((await socket.nextFrame('top_info')).event).toBe('top_info');
    socket.ws.close();
  });
});

describe('per-IP accept limit', () => {
  it('closes the accept over ADMIN_WS_RATE_LIMIT_PER_MIN with 1008 and counts reason="ip"', async () => {
    const ip = freshLoopbackIp();
    const token = await adminToken();
    const before = await metricValue('admin_ws_rate_limited_total', { reason: 'ip' });
    const allowed = [];
    for (let i = 0; i < 3; i++) {
      const socket = openSocket(dev.wsUrl(), { protocols: ['bearer', token], localAddress: ip });
      await socket.nextFrame('top_info');
      allowed.push(socket);
    }
    const fourth = openSocket(dev.wsUrl(), { protocols: ['bearer', token], localAddress: ip });
    expect((await closedWithin(fourth)).code).toBe(1008);
    expect(fourth.frames).toEqual([]);
    expect(await metricValue('admin_ws_rate_limited_total', { reason: 'ip' })).toBe(before + 1);

    // another address has its own window
    const other = openSocket(dev.wsUrl(), { protocols: ['bearer', token] });
    expect((await other.nextFrame('top_info')).event).toBe('top_info');
    for (const s of [...allowed, other]) s.ws.close();
  });

  it('behind a trusted proxy, keys on the forwarded client address, not on the proxy', async () => {
    // Every connection comes from one loopback peer, as they all would from the ingress.
    const ingress = freshLoopbackIp();
    const token = await adminToken();
    const via = (client: string, forged?: string) =>
      openSocket(dev.wsUrl(), {
        protocols: ['bearer', token],
        localAddress: ingress,
        headers: { 'x-forwarded-for': forged ? `${forged}, ${client}` : client },
      });
    const allowed = [];
    for (let i = 0; i < 3; i++) {
      const socket = via('203.0.113.7');
      await socket.nextFrame('top_info');
      allowed.push(socket);
    }
    // A client cannot leave its window by writing another address in front of its own.
    expect((await closedWithin(via('203.0.113.7', '198.51.100.1'))).code).toBe(1008);
    // Another operator behind the same ingress has a window of its own.
    const other = via('203.0.113.8');
    expect((await other.nextFrame('top_info')).event).toBe('top_info');
    for (const s of [...allowed, other]) s.ws.close();
  });

  it('counts refused handshakes too, so token guessing is rate limited', async () => {
    const ip = freshLoopbackIp();
    for (let i = 0; i < 3; i++) {
      expect(
        (await closedWithin(openSocket(dev.wsUrl(), { protocols: ['bearer', 'guess'], localAddress: ip })))
          .code,
      ).toBe(4001);
    }
    const socket = openSocket(dev.wsUrl(), { protocols: ['bearer', await adminToken()], localAddress: ip });
    expect((await closedWithin(socket)).code).toBe(1008);
  });
});

describe('Redis outage', () => {
  it('fails closed in production: 1008 and admin_ws_rate_limited_total{reason="redis_outage"}', async () => {
    const down = await bootAdminFeatures(baseEnv({ ...PRODUCTION_ENV, REDIS_URL: DEAD_REDIS_URL }), [
      AdminWsModule,
    ]);
    try {
      const before = await metricValue('admin_ws_rate_limited_total', { reason: 'redis_outage' });
      const socket = openSocket(down.wsUrl(), { protocols: ['bearer', await adminToken()] });
      expect((await closedWithin(socket)).code).toBe(1008);
      expect(socket.frames).toEqual([]);
      expect(await metricValue('admin_ws_rate_limited_total', { reason: 'redis_outage' })).toBe(before + 1);
    } finally {
      await down.close();
    }
  });

  it('fails open outside production', async () => {
    const down = await bootAdminFeatures(baseEnv({ REDIS_URL: DEAD_REDIS_URL }), [AdminWsModule]);
    try {
      const before = await metricValue('admin_ws_rate_limited_total', { reason: 'redis_outage' });
      const socket = openSocket(down.wsUrl(), { protocols: ['bearer', await adminToken()] });
      expect((await socket.nextFrame('top_info')).event).toBe('top_info');
      expect(await metricValue('admin_ws_rate_limited_total', { reason: 'redis_outage' })).toBe(before);
      socket.ws.close();
    } finally {
      await down.close();
    }
  });
});

describe('token lifetime', () => {
  it('closes the socket with 1008 when the token expires', async () => {
    const { token } = await issuerFor(keys, 2).signAdmin({ adminId: operatorId });
    const socket = openSocket(dev.wsUrl(), { protocols: ['bearer', token] });
    await socket.nextFrame('top_info');
    const started = Date.now();
    const closed = await closedWithin(socket, 5000);
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe('token expired');
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('top-info', () => {
  async function refresh(body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${dev.url}/internal/meta/top-info/refresh`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-caller-service': 'game',
        'x-internal-service-token': GAME_TOKEN,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  }

  it('pushes per-brand pending counts after a deposit is created and the meta hook is called', async () => {
    const socket = openSocket(dev.wsUrl(), { protocols: ['bearer', await adminToken()] });
    const initial = await socket.nextFrame('top_info');
    const countFor = (frame: { data: any }, brandId: number) =>
      frame.data.brands.find((b: { brand_id: number }) => b.brand_id === brandId);
    const beforeTwo = countFor(initial, brandTwo).pending_deposits as number;
    const beforeOne = countFor(initial, 1).pending_deposits as number;

    const player = await pg.query<{ id: string }>(
      `INSERT INTO player (brand_id, account, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
      [brandTwo, `ws-${Date.now()}`],
    );
    await pg.query(`INSERT INTO player_deposit (brand_id, player_id, amount) VALUES ($1, $2, 100)`, [
      brandTwo,
      player.rows[0].id,
    ]);
    await pg.query(`INSERT INTO player_withdraw (brand_id, player_id, amount) VALUES ($1, $2, 50)`, [
      brandTwo,
      player.rows[0].id,
    ]);

    const res = await refresh({ brand_id: brandTwo });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: number; data: { pushed: number } };
    expect(body.status).toBe(0);
    expect(body.data.pushed).toBeGreaterThanOrEqual(1);

    const pushed = await socket.nextFrame('top_info', 5000, (f) => f !== initial);
    expect(countFor(pushed, brandTwo).pending_deposits).toBe(beforeTwo + 1);
    expect(countFor(pushed, brandTwo).pending_withdrawals).toBeGreaterThanOrEqual(1);
    expect(countFor(pushed, 1).pending_deposits).toBe(beforeOne);
    expect(pushed.data.totals.pending_deposits).toBe(beforeOne + beforeTwo + 1);
    socket.ws.close();
  });

  it('reaches operators connected to another admin instance (Redis pub/sub fan-out)', async () => {
    const other = await bootAdminFeatures(baseEnv(), [AdminWsModule, AdminMetaModule]);
    try {
      const socket = openSocket(other.wsUrl(), { protocols: ['bearer', await adminToken()] });
      const initial = await socket.nextFrame('top_info');
      await new Promise((r) => setTimeout(r, 200)); // let the new instance's SUBSCRIBE land
      const res = await refresh({}); // handled by `dev`, not by `other`
      expect(res.status).toBe(200);
      const pushed = await socket.nextFrame('top_info', 5000, (f) => f !== initial);
      expect(pushed.data.brands.map((b: { brand_id: number }) => b.brand_id)).toEqual([1, brandTwo]);
      socket.ws.close();
    } finally {
      await other.close();
    }
  });

  it('takes the brand from X-Brand-Id and refuses a body brand that disagrees (51)', async () => {
    const ok = await refresh({}, { 'x-brand-id': String(brandTwo) });
    expect(ok.status).toBe(200);
    const mismatch = await refresh({ brand_id: 1 }, { 'x-brand-id': String(brandTwo) });
    expect(mismatch.status).toBe(403);
    expect(((await mismatch.json()) as { status: number }).status).toBe(51);
  });
});
