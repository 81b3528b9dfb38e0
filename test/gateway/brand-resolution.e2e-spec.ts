/**
 * issue 3 point 3 / gateway seed "Multi-Brand Constraints": the brand comes
 * from the request domain (Origin first, then Host) through the Redis domain
 * maps; inbound X-Brand-Id is stripped; unresolved domains follow CONTRACTS
 * §11 in each mode.
 */
import type Redis from 'ioredis';
import type { EnforcementMode } from '@app/config';
import type { BootedApp } from '../support/app';
import {
  bootGateway,
  closeDoubles,
  type Doubles,
  makeKeyPair,
  metricValue,
  resetDoubles,
  seedAgentDomain,
  seedClient,
  seedLevelDomain,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

const MODES: EnforcementMode[] = ['off', 'observe', 'enforce'];

describe('gateway brand resolution', () => {
  const keys = makeKeyPair();
  let doubles: Doubles;
  let redis: Redis;
  const gateways = {} as Record<EnforcementMode, BootedApp>;

  beforeAll(async () => {
    redis = seedClient();
    doubles = await startDoubles();
    for (const mode of MODES) gateways[mode] = await bootGateway(doubles, keys, { mode });
  });

  afterAll(async () => {
    for (const mode of MODES) await gateways[mode]?.close();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  beforeEach(() => resetDoubles(doubles));

  describe.each(MODES)('in %s mode', (mode) => {
    it('resolves the brand from the Host domain map and forwards it as X-Brand-Id', async () => {
      const host = uniqueHost();
      const brandId = uniqueBrandId();
      await seedAgentDomain(redis, host, brandId);
      const res = await send(gateways[mode].url, '/api/v1/user/login', {
        method: 'POST',
        host,
        body: { account: 'a' },
      });
      expect(res.json.status).toBe(0);
      expect(doubles.player.lastCall()?.brandId).toBe(brandId);
    });

    it('resolves a domain bound only in the level map', async () => {
      const host = uniqueHost('level');
      const brandId = uniqueBrandId();
      await seedLevelDomain(redis, host, brandId, 3);
      await send(gateways[mode].url, '/api/v1/common/config', { host });
      expect(doubles.player.lastCall()?.brandId).toBe(brandId);
    });

    it('prefers the Origin host over the Host header, ignoring ports and case', async () => {
      const originHost = uniqueHost('origin');
      const hostHeader = uniqueHost('host');
      const originBrand = uniqueBrandId();
      const hostBrand = uniqueBrandId();
      await seedAgentDomain(redis, originHost, originBrand);
      await seedAgentDomain(redis, hostHeader, hostBrand);
      await send(gateways[mode].url, '/api/v1/common/config', {
        host: `${hostHeader}:8080`,
        headers: { origin: `https://${originHost.toUpperCase()}:8443` },
      });
      expect(doubles.player.lastCall()?.brandId).toBe(originBrand);
    });

    it('falls back to Host when Origin is absent or "null"', async () => {
      const host = uniqueHost();
      const brandId = uniqueBrandId();
      await seedAgentDomain(redis, host, brandId);
      await send(gateways[mode].url, '/api/v1/common/config', { host, headers: { origin: 'null' } });
      expect(doubles.player.lastCall()?.brandId).toBe(brandId);
    });

    it('strips an inbound X-Brand-Id and forwards the resolved brand instead', async () => {
      const host = uniqueHost();
      const brandId = uniqueBrandId();
      await seedAgentDomain(redis, host, brandId);
      await send(gateways[mode].url, '/api/v1/user/login', {
        method: 'POST',
        host,
        headers: { 'x-brand-id': String(brandId + 1) },
        body: {},
      });
      const call = doubles.player.lastCall();
      expect(call?.headers['x-brand-id']).toBe(String(brandId));
    });

    it('forwards the resolved domain as X-Request-Domain, never a client-sent one', async () => {
      const host = uniqueHost();
      const brandId = uniqueBrandId();
      await seedAgentDomain(redis, host, brandId);
      await send(gateways[mode].url, '/api/v1/user/register', {
        method: 'POST',
        host,
        headers: { 'x-request-domain': 'spoofed.example' },
        body: { account: 'domain_check' },
      });
      expect(doubles.player.lastCall()?.headers['x-request-domain']).toBe(host);
    });
  });

  it.each(['observe', 'enforce'] as const)(
    'rejects an unresolved domain with 400 status 50 in %s mode, counted, nothing forwarded',
    async (mode) => {
      const gw = gateways[mode];
      const before = await metricValue(gw.url, 'brand_resolution_failed_total', {
        reason: 'domain_unresolved',
        service: 'gateway',
      });
      const res = await send(gw.url, '/api/v1/user/login', {
        method: 'POST',
        host: uniqueHost('unmapped'),
        headers: { 'x-brand-id': '3' },
        body: { account: 'a' },
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ status: 50, msg: expect.any(String), data: null });
      expect(doubles.player.calls).toHaveLength(0);
      const after = await metricValue(gw.url, 'brand_resolution_failed_total', {
        reason: 'domain_unresolved',
        service: 'gateway',
      });
      expect(after).toBe(before + 1);
    },
  );

  it('forwards an unresolved domain without X-Brand-Id in off mode, counted (even when the client sent one)', async () => {
    const gw = gateways.off;
    const before = await metricValue(gw.url, 'brand_resolution_failed_total', {
      reason: 'domain_unresolved',
      service: 'gateway',
    });
    const res = await send(gw.url, '/api/v1/user/login', {
      method: 'POST',
      host: uniqueHost('unmapped'),
      headers: { 'x-brand-id': '3' },
      body: { account: 'a' },
    });
    expect(res.json.status).toBe(0);
    const call = doubles.player.lastCall();
    expect(call?.path).toBe('/internal/players/login');
    expect(call?.headers['x-brand-id']).toBeUndefined();
    const after = await metricValue(gw.url, 'brand_resolution_failed_total', {
      reason: 'domain_unresolved',
      service: 'gateway',
    });
    expect(after).toBe(before + 1);
  });

  it('treats a domain entry without a positive brand_id as unresolved', async () => {
    const host = uniqueHost('nobrand');
    await redis.set(`domain:agent:${host}`, JSON.stringify({ agent_id: 4, brand_id: 0 }), 'EX', 600);
    const res = await send(gateways.enforce.url, '/api/v1/common/config', { host });
    expect(res.status).toBe(400);
    expect(res.json.status).toBe(50);
  });

  it('rejects a request with neither Origin nor a usable Host in enforce mode', async () => {
    const res = await send(gateways.enforce.url, '/api/v1/common/config', { host: 'bad host!' });
    expect(res.json.status).toBe(50);
    expect(doubles.player.calls).toHaveLength(0);
  });

  it("reports each instance's enforcement mode on /health", async () => {
    for (const mode of MODES) {
      const res = await send(gateways[mode].url, '/health');
      expect(res.json.data).toMatchObject({ multi_brand_enforcement: mode });
    }
  });
});
