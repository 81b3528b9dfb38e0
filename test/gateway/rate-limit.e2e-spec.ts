/**
 * issue 3 point 9: RATE_LIMIT_PER_MINUTE per client address and brand,
 * counted in Redis so that two gateway replicas share one budget; over the
 * limit → 429 status 6 with Retry-After. Authenticated requests (whose hit
 * rides in the session pipeline) and public ones share the bucket. Hits a
 * replica counts in process (below half the limit) still reach Redis.
 */
import type Redis from 'ioredis';
import type { JwtIssuer } from '@app/auth';
import type { BootedApp } from '../support/app';
import {
  bootGateway,
  closeDoubles,
  type Doubles,
  issuerFor,
  loginPlayer,
  makeKeyPair,
  resetDoubles,
  seedAgentDomain,
  seedClient,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
  uniqueIp,
} from './harness';

const LIMIT = 5;

describe('gateway rate limit', () => {
  const keys = makeKeyPair();
  let issuer: JwtIssuer;
  let doubles: Doubles;
  let redis: Redis;
  let replicaA: BootedApp;
  let replicaB: BootedApp;
  let host: string;
  let brandId: number;

  beforeAll(async () => {
    issuer = issuerFor(keys);
    redis = seedClient();
    doubles = await startDoubles();
    const env = { RATE_LIMIT_PER_MINUTE: String(LIMIT) };
    replicaA = await bootGateway(doubles, keys, { env });
    replicaB = await bootGateway(doubles, keys, { env });
    host = uniqueHost();
    brandId = uniqueBrandId();
    await seedAgentDomain(redis, host, brandId);
  });

  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  beforeEach(() => resetDoubles(doubles));

  const publicCall = (gw: BootedApp, ip: string, h = host) =>
    send(gw.url, '/api/v1/common/config', { host: h, headers: { 'x-forwarded-for': `203.0.113.9, ${ip}` } });

  it('shares one budget across two replicas on the same Redis and answers 429 status 6 past it', async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i += 1)
      statuses.push((await publicCall(i % 2 === 0 ? replicaA : replicaB, ip)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(200));

    for (const gw of [replicaA, replicaB]) {
      const res = await publicCall(gw, ip);
      expect(res.status).toBe(429);
      expect(res.json).toEqual({ status: 6, msg: expect.any(String), data: null });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    expect(doubles.player.calls).toHaveLength(LIMIT);
  });

  it('keeps separate budgets per client address and per brand', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < LIMIT; i += 1) await publicCall(replicaA, ip);
    expect((await publicCall(replicaA, ip)).status).toBe(429);

    expect((await publicCall(replicaA, uniqueIp())).status).toBe(200);

    const otherHost = uniqueHost();
    await seedAgentDomain(redis, otherHost, uniqueBrandId());
    expect((await publicCall(replicaB, ip, otherHost)).status).toBe(200);
  });

  it('keys on the address the load balancer appended, not on client-supplied X-Forwarded-For entries', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < LIMIT; i += 1) {
      await send(replicaA.url, '/api/v1/common/config', {
        host,
        headers: { 'x-forwarded-for': `198.51.100.${i}, ${ip}` },
      });
    }
    const res = await send(replicaA.url, '/api/v1/common/config', {
      host,
      headers: { 'x-forwarded-for': `198.51.100.99, ${ip}` },
    });
    expect(res.status).toBe(429);
  });

  it('counts authenticated and public requests in the same bucket', async () => {
    const ip = uniqueIp();
    const player = await loginPlayer(redis, issuer, brandId);
    for (let i = 0; i < LIMIT - 1; i += 1) {
      const res = await send(replicaB.url, '/api/v1/user/info', {
        host,
        token: player.token,
        headers: { 'x-forwarded-for': ip },
      });
      expect(res.json.status).toBe(0);
    }
    expect((await publicCall(replicaA, ip)).status).toBe(200);
    const limited = await send(replicaB.url, '/api/v1/user/info', {
      host,
      token: player.token,
      headers: { 'x-forwarded-for': ip },
    });
    expect(limited.status).toBe(429);
    expect(limited.json.status).toBe(6);
  });

  it('stores the window in Redis with a one-minute expiry', async () => {
    const ip = uniqueIp();
    await publicCall(replicaA, ip);
    const ttl = await redis.pttl(`throttle:{gateway:${brandId}:${ip}}:hits`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('reports the hits a replica counted in process to the shared count in Redis', async () => {
    const ip = uniqueIp();
    // The first hit of the window goes to Redis; the second (below half the limit) is counted in process.
    expect((await publicCall(replicaA, ip)).status).toBe(200);
    expect((await publicCall(replicaA, ip)).status).toBe(200);
    const key = `throttle:{gateway:${brandId}:${ip}}:hits`;
    const deadline = Date.now() + 2000;
    let hits = Number(await redis.get(key));
    while (hits < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      hits = Number(await redis.get(key));
    }
    expect(hits).toBe(2);
  });

  it('does not limit provider callbacks', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < LIMIT + 2; i += 1) {
      const res = await send(replicaA.url, '/api/v1/provider/acme/callback/bet', {
        method: 'POST',
        body: { i },
        headers: { 'x-forwarded-for': ip },
      });
      expect(res.status).toBe(200);
    }
    expect(doubles.game.calls).toHaveLength(LIMIT + 2);
  });
});
