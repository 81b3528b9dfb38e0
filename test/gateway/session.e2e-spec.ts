/**
 * issue 3 point 5 / gateway seed "Player session cross-check (T1-D-C1)":
 * `user-session:brand:{brand_id}:{account}` must hold the token's jti; the
 * brand is the request's resolved brand, else the JWT's; no unprefixed
 * fallback; a miss or a replaced session is HTTP 200 status 3 and counts
 * gateway_jwt_session_missing_total (a bad JWT does not).
 */
import { randomUUID } from 'node:crypto';
import type { EnforcementMode } from '@app/config';
import {
  gatewaysPerMode,
  loginPlayer,
  metricValue,
  seedAgentDomain,
  seedSession,
  send,
  uniqueBrandId,
  uniqueHost,
} from './harness';

const MODES: EnforcementMode[] = ['off', 'observe', 'enforce'];
const MISSING = 'gateway_jwt_session_missing_total';

describe('gateway session cross-check', () => {
  const suite = gatewaysPerMode(MODES);

  async function brandHost(): Promise<{ host: string; brandId: number }> {
    const host = uniqueHost();
    const brandId = uniqueBrandId();
    await seedAgentDomain(suite.redis, host, brandId);
    return { host, brandId };
  }

  describe.each(MODES)('in %s mode', (mode) => {
    const url = () => suite.gateways[mode].url;

    it('serves a token whose brand session holds its jti', async () => {
      const { host, brandId } = await brandHost();
      const player = await loginPlayer(suite.redis, suite.issuer, brandId);
      const res = await send(url(), '/api/v1/user/info', { host, token: player.token });
      expect(res.json.status).toBe(0);
      expect(suite.doubles.player.calls).toHaveLength(1);
    });

    it('refuses a valid token whose session key is missing: HTTP 200 status 3, counted, nothing forwarded', async () => {
      const { host, brandId } = await brandHost();
      const player = await loginPlayer(suite.redis, suite.issuer, brandId, { sessionBrandId: null });
      const before = await metricValue(url(), MISSING, { service: 'gateway' });
      const res = await send(url(), '/api/v1/user/info', { host, token: player.token });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 3, msg: expect.any(String), data: null });
      expect(suite.doubles.player.calls).toHaveLength(0);
      expect(await metricValue(url(), MISSING, { service: 'gateway' })).toBe(before + 1);
    });

    it('refuses a token whose session was replaced by a newer login (jti mismatch)', async () => {
      const { host, brandId } = await brandHost();
      const player = await loginPlayer(suite.redis, suite.issuer, brandId);
      await seedSession(suite.redis, brandId, player.account, randomUUID(), player.playerId);
      const before = await metricValue(url(), MISSING, { service: 'gateway' });
      const res = await send(url(), '/api/v1/finance/balance', { host, token: player.token });
      expect(res.json.status).toBe(3);
      expect(suite.doubles.wallet.calls).toHaveLength(0);
      expect(await metricValue(url(), MISSING, { service: 'gateway' })).toBe(before + 1);
    });

    it('refuses a token whose session belongs to another player id', async () => {
      const { host, brandId } = await brandHost();
      const player = await loginPlayer(suite.redis, suite.issuer, brandId);
      await seedSession(suite.redis, brandId, player.account, player.jti, player.playerId + 1);
      const res = await send(url(), '/api/v1/user/info', { host, token: player.token });
      expect(res.json.status).toBe(3);
    });

    it('refuses once the session key is deleted (logout elsewhere)', async () => {
      const { host, brandId } = await brandHost();
      const player = await loginPlayer(suite.redis, suite.issuer, brandId);
      expect((await send(url(), '/api/v1/user/info', { host, token: player.token })).json.status).toBe(0);
      await suite.redis.del(`user-session:brand:${brandId}:${player.account}`);
      expect((await send(url(), '/api/v1/user/info', { host, token: player.token })).json.status).toBe(3);
    });

    it('never falls back to the pre-brand unprefixed session key', async () => {
      const { host, brandId } = await brandHost();
      const player = await loginPlayer(suite.redis, suite.issuer, brandId, { sessionBrandId: null });
      await suite.redis.set(
        `user-session-${player.account}`,
        JSON.stringify({ jti: player.jti, player_id: player.playerId }),
        'EX',
        600,
      );
      const res = await send(url(), '/api/v1/user/info', { host, token: player.token });
      expect(res.json.status).toBe(3);
    });

    it('reads the session under the domain brand, not the token brand (cross-brand isolation)', async () => {
      const a = await brandHost();
      const b = await brandHost();
      // Logged in on brand A (session under A), replayed on brand B's domain.
      const player = await loginPlayer(suite.redis, suite.issuer, a.brandId);
      const res = await send(url(), '/api/v1/user/info', { host: b.host, token: player.token });
      // Refused either way; in enforce the brand check speaks first (51), otherwise the missing session (3).
      expect(res.json.status).toBe(mode === 'enforce' ? 51 : 3);
      expect(suite.doubles.player.calls).toHaveLength(0);
    });

    it('does not count a bad token as a missing session', async () => {
      const { host } = await brandHost();
      const before = await metricValue(url(), MISSING, { service: 'gateway' });
      await send(url(), '/api/v1/user/info', { host, token: 'a.b.c' });
      expect(await metricValue(url(), MISSING, { service: 'gateway' })).toBe(before);
    });
  });

  it('uses the JWT brand for the session key when the domain is unresolved in off mode', async () => {
    const brandId = uniqueBrandId();
    const player = await loginPlayer(suite.redis, suite.issuer, brandId);
    const res = await send(suite.gateways.off.url, '/api/v1/user/info', {
      host: uniqueHost('unmapped'),
      token: player.token,
    });
    expect(res.json.status).toBe(0);
    const call = suite.doubles.player.lastCall();
    expect(call?.headers['x-player-id']).toBe(String(player.playerId));
    expect(call?.headers['x-brand-id']).toBeUndefined();
  });

  it('and refuses it there when the JWT-brand session is missing', async () => {
    const brandId = uniqueBrandId();
    const player = await loginPlayer(suite.redis, suite.issuer, brandId, { sessionBrandId: null });
    const res = await send(suite.gateways.off.url, '/api/v1/user/info', {
      host: uniqueHost('unmapped'),
      token: player.token,
    });
    expect(res.json.status).toBe(3);
  });
});
