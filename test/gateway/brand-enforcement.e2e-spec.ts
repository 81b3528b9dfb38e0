/**
 * issue 3 point 6 / ADR-009 + CONTRACTS §11: the JWT's brand_id against the
 * domain's brand. off passes; observe counts
 * brand_resolution_failed_total{reason="jwt_brand_mismatch"} and forwards
 * with the domain brand; enforce rejects with 403 status 51. Also CONTRACTS
 * §7: a register body brand_id other than the resolved brand is refused (51)
 * in every mode.
 */
import type { EnforcementMode } from '@app/config';
import {
  gatewaysPerMode,
  loginPlayer,
  metricValue,
  seedAgentDomain,
  send,
  uniqueBrandId,
  uniqueHost,
} from './harness';

const MODES: EnforcementMode[] = ['off', 'observe', 'enforce'];
const FAILED = 'brand_resolution_failed_total';

describe('gateway JWT brand vs domain brand', () => {
  const suite = gatewaysPerMode(MODES);

  /**
   * A token minted for brand A used on brand B's domain. The session is
   * written under B with the token's jti, so the session step passes and
   * the brand check alone decides.
   */
  async function crossBrandRequest(mode: EnforcementMode) {
    const domainBrand = uniqueBrandId();
    const tokenBrand = uniqueBrandId();
    const host = uniqueHost();
    await seedAgentDomain(suite.redis, host, domainBrand);
    const player = await loginPlayer(suite.redis, suite.issuer, tokenBrand, { sessionBrandId: domainBrand });
    const url = suite.gateways[mode].url;
    const labels = { reason: 'jwt_brand_mismatch', service: 'gateway' };
    const before = await metricValue(url, FAILED, labels);
    const res = await send(url, '/api/v1/user/info', { host, token: player.token });
    const counted = (await metricValue(url, FAILED, labels)) - before;
    return { res, counted, domainBrand, tokenBrand };
  }

  it('off: passes a token of another brand, forwards the domain brand, counts nothing', async () => {
    const { res, counted, domainBrand } = await crossBrandRequest('off');
    expect(res.json.status).toBe(0);
    expect(suite.doubles.player.lastCall()?.brandId).toBe(domainBrand);
    expect(counted).toBe(0);
  });

  it('observe: counts the mismatch and forwards with the domain brand', async () => {
    const { res, counted, domainBrand } = await crossBrandRequest('observe');
    expect(res.json.status).toBe(0);
    expect(suite.doubles.player.lastCall()?.brandId).toBe(domainBrand);
    expect(counted).toBe(1);
  });

  it('enforce: rejects a JWT minted for another brand with 403 status 51, counted, nothing forwarded', async () => {
    const { res, counted } = await crossBrandRequest('enforce');
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ status: 51, msg: expect.any(String), data: null });
    expect(suite.doubles.player.calls).toHaveLength(0);
    expect(counted).toBe(1);
  });

  /**
   * The realistic cross-brand case: the player logged in on brand A only, so
   * brand B's domain holds no session for the token. The brand check is
   * decided before the session verdict is applied.
   */
  async function crossBrandWithoutSession(mode: EnforcementMode) {
    const domainBrand = uniqueBrandId();
    const tokenBrand = uniqueBrandId();
    const host = uniqueHost();
    await seedAgentDomain(suite.redis, host, domainBrand);
    const player = await loginPlayer(suite.redis, suite.issuer, tokenBrand);
    const url = suite.gateways[mode].url;
    const labels = { reason: 'jwt_brand_mismatch', service: 'gateway' };
    const before = await metricValue(url, FAILED, labels);
    const res = await send(url, '/api/v1/user/info', { host, token: player.token });
    return { res, counted: (await metricValue(url, FAILED, labels)) - before };
  }

  it('enforce: answers 51 for a token of another brand even when the domain brand holds no session', async () => {
    const { res, counted } = await crossBrandWithoutSession('enforce');
    expect(res.status).toBe(403);
    expect(res.json.status).toBe(51);
    expect(counted).toBe(1);
    expect(suite.doubles.player.calls).toHaveLength(0);
  });

  it('observe: counts the mismatch, then refuses with status 3 because the domain brand holds no session', async () => {
    const { res, counted } = await crossBrandWithoutSession('observe');
    expect(res.status).toBe(200);
    expect(res.json.status).toBe(3);
    expect(counted).toBe(1);
    expect(suite.doubles.player.calls).toHaveLength(0);
  });

  it.each(MODES)('%s: a token of the domain brand passes and is not counted', async (mode) => {
    const brandId = uniqueBrandId();
    const host = uniqueHost();
    await seedAgentDomain(suite.redis, host, brandId);
    const player = await loginPlayer(suite.redis, suite.issuer, brandId);
    const labels = { reason: 'jwt_brand_mismatch', service: 'gateway' };
    const before = await metricValue(suite.gateways[mode].url, FAILED, labels);
    const res = await send(suite.gateways[mode].url, '/api/v1/user/info', { host, token: player.token });
    expect(res.json.status).toBe(0);
    expect(suite.doubles.player.lastCall()?.brandId).toBe(brandId);
    expect(await metricValue(suite.gateways[mode].url, FAILED, labels)).toBe(before);
  });

  describe.each(MODES)('register in %s mode', (mode) => {
    let host: string;
    let brandId: number;

    beforeAll(async () => {
      host = uniqueHost();
      brandId = uniqueBrandId();
      await seedAgentDomain(suite.redis, host, brandId);
    });

    it('refuses a body brand_id other than the resolved brand with 403 status 51 and creates nothing', async () => {
      for (const path of ['/api/v1/user/register', '/user/register']) {
        const res = await send(suite.gateways[mode].url, path, {
          method: 'POST',
          host,
          body: { account: 'a', password: 'p', brand_id: brandId + 1 },
        });
        expect(res.status).toBe(403);
        expect(res.json.status).toBe(51);
      }
      expect(suite.doubles.player.calls).toHaveLength(0);
    });

    it('forwards a body brand_id equal to the resolved brand, and a body without one', async () => {
      await send(suite.gateways[mode].url, '/api/v1/user/register', {
        method: 'POST',
        host,
        body: { account: 'a', brand_id: brandId },
      });
      await send(suite.gateways[mode].url, '/api/v1/user/register', {
        method: 'POST',
        host,
        body: { account: 'b' },
      });
      expect(suite.doubles.player.calls.map((c) => c.body)).toEqual([
        { account: 'a', brand_id: brandId },
        { account: 'b' },
      ]);
      expect(suite.doubles.player.calls.every((c) => c.brandId === brandId)).toBe(true);
    });
  });
});
