/**
 * issue 3 point 10: when Redis is unreachable, brand resolution and the
 * session check fail closed (HTTP 502 status 7; in off mode an outage is not
 * mistaken for an unresolved domain), /health reports redis down (503), and
 * the process recovers by itself when Redis returns. The outage is a TCP
 * proxy in front of the real Redis that the test closes and reopens.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';
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
  resetDoubles,
  seedAgentDomain,
  seedClient,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

/** A TCP proxy to Redis that can drop every connection and refuse new ones, then come back on the same port. */
class RedisOutageProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('gateway during a Redis outage', () => {
  const keys = makeKeyPair();
  let issuer: JwtIssuer;
  let doubles: Doubles;
  let redis: Redis;
  let proxy: RedisOutageProxy;
  /** Off mode, no domain cache: every request needs Redis for its brand. */
  let uncached: BootedApp;
  /** Observe mode with the in-process domain cache warm. */
  let cached: BootedApp;
  let host: string;
  let brandId: number;

  beforeAll(async () => {
    issuer = issuerFor(keys);
    redis = seedClient();
    const direct = new URL(suiteRedisUrl());
    proxy = new RedisOutageProxy({ host: direct.hostname, port: Number(direct.port || 6379) });
    await proxy.start();
    const proxied = `redis://127.0.0.1:${proxy.port}${direct.pathname}`;
    doubles = await startDoubles();
    uncached = await bootGateway(doubles, keys, {
      mode: 'off',
      env: { REDIS_URL: proxied, DOMAIN_CACHE_TTL_SECONDS: '0' },
    });
    cached = await bootGateway(doubles, keys, {
      mode: 'observe',
      env: { REDIS_URL: proxied, DOMAIN_CACHE_TTL_SECONDS: '600' },
    });
    host = uniqueHost();
    brandId = uniqueBrandId();
    await seedAgentDomain(redis, host, brandId);
  });

  afterAll(async () => {
    await uncached?.close();
    await cached?.close();
    await proxy?.stop();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  beforeEach(() => resetDoubles(doubles));

  it('fails closed while Redis is down, reports it on /health, and recovers by itself', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    const info = (gw: BootedApp) => send(gw.url, '/api/v1/user/info', { host, token: player.token });
    const config = (gw: BootedApp) => send(gw.url, '/api/v1/common/config', { host });

    // Healthy: both serve, and `cached` now holds the domain in process.
    for (const gw of [uncached, cached]) {
      expect((await info(gw)).json.status).toBe(0);
      expect((await config(gw)).json.status).toBe(0);
      expect((await send(gw.url, '/health')).status).toBe(200);
    }

    await proxy.stop();
    resetDoubles(doubles);

    // Brand resolution fails closed, even in off mode (an outage is not an unresolved domain).
    const down = await eventually(
      () => config(uncached),
      (r) => r.status === 502,
      5000,
    );
    expect(down.status).toBe(502);
    expect(down.json).toEqual({ status: 7, msg: expect.any(String), data: null });
    const downInfo = await info(uncached);
    expect(downInfo.status).toBe(502);
    expect(downInfo.json.status).toBe(7);

    // With the brand cached, the session check still fails closed.
    const cachedInfo = await info(cached);
    expect(cachedInfo.status).toBe(502);
    expect(cachedInfo.json.status).toBe(7);
    // A public route of a cached (known) brand is still served; the limiter fails open.
    expect((await config(cached)).json.status).toBe(0);
    expect(doubles.player.calls.map((c) => c.path)).toEqual(['/internal/common/config']);
    expect(doubles.player.calls[0].brandId).toBe(brandId);

    const health = await send(uncached.url, '/health');
    expect(health.status).toBe(503);
    expect(health.json.status).toBe(7);
    expect(health.json.data).toMatchObject({ checks: { redis: 'down' } });
    // Liveness does not follow Redis: the gateway leaves rotation (/health) but is not restarted.
    const live = await send(uncached.url, '/healthz');
    expect([live.status, live.json.status, live.json.data]).toEqual([
      200,
      0,
      expect.objectContaining({ checks: {} }),
    ]);

    await proxy.start();

    // Recovery without restart.
    expect(
      (
        await eventually(
          () => info(uncached),
          (r) => r.json.status === 0,
        )
      ).json.status,
    ).toBe(0);
    expect(
      (
        await eventually(
          () => info(cached),
          (r) => r.json.status === 0,
        )
      ).json.status,
    ).toBe(0);
    expect((await config(uncached)).json.status).toBe(0);
    expect(
      (
        await eventually(
          () => send(uncached.url, '/health'),
          (r) => r.status === 200,
        )
      ).status,
    ).toBe(200);
  }, 30_000);
});
