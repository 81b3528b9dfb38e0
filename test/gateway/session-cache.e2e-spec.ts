/**
 * issue 3 point 5, in process (apps/gateway/src/session/session-cache.ts): a
 * session that matched is remembered, so the next request of the same token
 * is checked without a Redis round trip, and Redis' own announcements (client
 * tracking) drop it the moment its key changes. Only matches are ever served
 * from memory; anything the gateway cannot trust sends the check to Redis.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { JwtIssuer } from '@app/auth';
import type { BootedApp } from '../support/app';
import { suiteRedisUrl } from '../support/redis';
import {
  bootGateway,
  closeDoubles,
  type Doubles,
  eventually,
  issuerFor,
  loginPlayer,
  makeKeyPair,
  metricValue,
  type Player,
  seedAgentDomain,
  seedClient,
  seedSession,
  send,
  sleep,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

const HITS = 'gateway_session_cache_hits_total';
const MISSING = 'gateway_jwt_session_missing_total';

/** The `session_cache` entry of a /health answer. */
const cacheState = (res: { json: unknown }): unknown =>
  (res.json as { data?: { session_cache?: unknown } } | null)?.data?.session_cache;

describe('gateway session cache', () => {
  const keys = makeKeyPair();
  let issuer: JwtIssuer;
  let doubles: Doubles;
  let redis: Redis;
  let cached: BootedApp;
  let uncached: BootedApp;
  let host: string;
  let brandId: number;

  beforeAll(async () => {
    issuer = issuerFor(keys);
    redis = seedClient();
    doubles = await startDoubles();
    cached = await bootGateway(doubles, keys, { env: { SESSION_CACHE_TTL_MS: '60000' } });
    uncached = await bootGateway(doubles, keys, { env: { SESSION_CACHE_TTL_MS: '0' } });
    host = uniqueHost();
    brandId = uniqueBrandId();
    await seedAgentDomain(redis, host, brandId);
    // Tracking is set up in the background after boot: wait until the cache reports itself on.
    const health = await eventually(
      () => send(cached.url, '/health'),
      (res) => cacheState(res) === 'on',
    );
    expect(cacheState(health)).toBe('on');
  });

  afterAll(async () => {
    await cached?.close();
    await uncached?.close();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  const info = (gw: BootedApp, player: Player) =>
    send(gw.url, '/api/v1/user/info', { host, token: player.token });
  const hits = () => metricValue(cached.url, HITS);

  /** A served request, then a second one answered from memory (proved by the hit counter). */
  async function remembered(): Promise<Player> {
    const player = await loginPlayer(redis, issuer, brandId);
    expect((await info(cached, player)).json.status).toBe(0);
    const before = await hits();
    expect((await info(cached, player)).json.status).toBe(0);
    expect(await hits()).toBe(before + 1);
    return player;
  }

  it('answers the repeated requests of a token from memory, and forwards each of them', async () => {
    const calls = doubles.player.calls.length;
    const player = await remembered();
    const before = await hits();
    for (let i = 0; i < 3; i += 1) expect((await info(cached, player)).json.status).toBe(0);
    expect(await hits()).toBe(before + 3);
    expect(doubles.player.calls.length).toBe(calls + 5);
    const last = doubles.player.calls[doubles.player.calls.length - 1];
    expect(last.headers['x-player-id']).toBe(String(player.playerId));
    expect(last.tokenValid).toBe(true);
    expect(last.brandId).toBe(brandId);
  });

  it('refuses on the very next request once the session key is deleted (logout elsewhere)', async () => {
    const player = await remembered();
    const missing = await metricValue(cached.url, MISSING);
    await redis.del(`user-session:brand:${brandId}:${player.account}`);
    const res = await info(cached, player);
    expect(res.status).toBe(200);
    expect(res.json.status).toBe(3);
    expect(await metricValue(cached.url, MISSING)).toBe(missing + 1);
  });

  it('refuses the old token and serves the new one once a newer login replaces the session', async () => {
    const player = await remembered();
    const jti = randomUUID();
    await seedSession(redis, brandId, player.account, jti, player.playerId);
    expect((await info(cached, player)).json.status).toBe(3);
    const { token } = await issuer.signPlayer({ ...player, jti });
    expect((await info(cached, { ...player, jti, token })).json.status).toBe(0);
  });

  it('refuses once the session key expires in Redis', async () => {
    const player = await remembered();
    await redis.pexpire(`user-session:brand:${brandId}:${player.account}`, 100);
    await sleep(300);
    expect((await info(cached, player)).json.status).toBe(3);
  });

  it('serves nothing from memory while its announcement channel is down, and recovers by itself', async () => {
    const player = await remembered();
    // Cut this suite's invalidation connections (their database is this suite's own).
    const db = Number(new URL(suiteRedisUrl()).pathname.slice(1) || 0);
    const clients = (await redis.client('LIST')) as string;
    const ids = clients
      .split('\n')
      .filter((line) => line.includes(' name=gateway-session-invalidations ') && line.includes(` db=${db} `))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) await redis.client('KILL', 'ID', id);
    // Deleted while no announcement can reach the gateway: it must not answer from memory.
    await redis.del(`user-session:brand:${brandId}:${player.account}`);
    await sleep(50);
    expect((await info(cached, player)).json.status).toBe(3);

    const health = await eventually(
      () => send(cached.url, '/health'),
      (res) => cacheState(res) === 'on',
    );
    expect(cacheState(health)).toBe('on');
    await remembered();
  });

  it('with SESSION_CACHE_TTL_MS=0 asks Redis every time', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    const before = await hits();
    for (let i = 0; i < 3; i += 1) expect((await info(uncached, player)).json.status).toBe(0);
    expect(await hits()).toBe(before);
    expect(cacheState(await send(uncached.url, '/health'))).toBe('disabled');
    await redis.del(`user-session:brand:${brandId}:${player.account}`);
    expect((await info(uncached, player)).json.status).toBe(3);
  });

  it('never answers a mismatch from memory: another player id on the same key is refused', async () => {
    const player = await remembered();
    const { token } = await issuer.signPlayer({ ...player, playerId: player.playerId + 1 });
    expect((await info(cached, { ...player, playerId: player.playerId + 1, token })).json.status).toBe(3);
  });
});
