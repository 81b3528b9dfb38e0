// player_service protection (seed 000 "Protection model"; ADR-009; CONTRACTS §2, §3, §11): per-caller token, X-Brand-Id, identity headers, brand mismatch per mode.
import { AGENT_TOKEN, LEGACY_TOKEN, metric, type PlayerApp, type PlayerHarness, registerAndLogin, startPlayerHarness } from './harness';

describe('player_service protection', () => {
  let h: PlayerHarness;
  let observe: PlayerApp;
  let enforce: PlayerApp;
  let off: PlayerApp;
  let alpha: number;
  let beta: number;

  beforeAll(async () => {
    h = await startPlayerHarness('player-protection');
    alpha = await h.createBrand('alpha');
    beta = await h.createBrand('beta');
    observe = await h.boot({ MULTI_BRAND_ENFORCEMENT: 'observe', INTERNAL_SERVICE_TOKEN: LEGACY_TOKEN });
    enforce = await h.boot({ MULTI_BRAND_ENFORCEMENT: 'enforce', INTERNAL_SERVICE_TOKEN: LEGACY_TOKEN, PER_CALLER_TOKEN_REQUIRED: 'on' });
    off = await h.boot({ MULTI_BRAND_ENFORCEMENT: 'off' });
  });
  afterAll(() => h.close());

  describe('internal token', () => {
    it('refuses a request without the internal token with 401 status 60', async () => {
      const res = await observe.call('GET', '/internal/common/notices', { brand: alpha, token: null });
      expect([res.http, res.status]).toEqual([401, 60]);
    });

    it('refuses a wrong gateway token', async () => {
      const res = await observe.call('GET', '/internal/common/notices', { brand: alpha, token: 'not-the-token' });
      expect([res.http, res.status]).toEqual([401, 60]);
    });

    it('refuses another caller even with that caller’s own valid token (gateway is the only caller)', async () => {
      const res = await observe.call('GET', '/internal/common/notices', { brand: alpha, caller: 'agent', token: AGENT_TOKEN });
      expect([res.http, res.status]).toEqual([401, 60]);
    });

    it('accepts the legacy shared token while PER_CALLER_TOKEN_REQUIRED is off, and counts it', async () => {
      const before = await metric(observe, 'internal_legacy_token_total', { service: 'player_service', caller: 'gateway' });
      const res = await observe.call('GET', '/internal/common/notices', { brand: alpha, token: LEGACY_TOKEN });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(await metric(observe, 'internal_legacy_token_total', { service: 'player_service', caller: 'gateway' })).toBe(before + 1);
    });

    it('refuses the legacy shared token when PER_CALLER_TOKEN_REQUIRED is on', async () => {
      const res = await enforce.call('GET', '/internal/common/notices', { brand: alpha, token: LEGACY_TOKEN });
      expect([res.http, res.status]).toEqual([401, 60]);
    });

    it('checks the token before the brand header', async () => {
      const res = await observe.call('POST', '/internal/players/login', { brand: null, token: null, body: { account: 'x', password: 'y' } });
      expect(res.status).toBe(60);
    });
  });

  describe('X-Brand-Id', () => {
    it.each([
      ['missing', undefined],
      ['zero', '0'],
      ['negative', '-3'],
      ['not a number', 'alpha'],
    ])('answers 400 status 54 when X-Brand-Id is %s', async (_label, value) => {
      const headers: Record<string, string> = value === undefined ? {} : { 'x-brand-id': value };
      const res = await observe.call('POST', '/internal/players/login', { headers, body: { account: 'nobody', password: 'whatever' } });
      expect([res.http, res.status]).toEqual([400, 54]);
    });

    it('refuses an X-Brand-Id that names no brand with 400 status 50, writing nothing', async () => {
      for (const path of ['/internal/players/register', '/internal/players/login', '/internal/players/recovery/request']) {
        const res = await observe.call('POST', path, { brand: 999_999, body: { account: 'no_brand', password: 'secret-pass-1', contact: '+821000000000' } });
        expect([path, res.http, res.status]).toEqual([path, 400, 50]);
      }
      const { rows } = await h.pg.query(`SELECT (SELECT count(*) FROM player WHERE brand_id = 999999) + (SELECT count(*) FROM player_login_log WHERE brand_id = 999999) AS n`);
      expect(Number(rows[0].n)).toBe(0);
    });

    it('requires X-Brand-Id on common content too', async () => {
      const res = await observe.call('GET', '/internal/common/site_setting', {});
      expect([res.http, res.status]).toEqual([400, 54]);
    });
  });

  describe('identity headers', () => {
    it('answers 401 status 3 when an authenticated route has no identity headers', async () => {
      const res = await observe.call('GET', '/internal/players/info', { brand: alpha });
      expect([res.http, res.status]).toEqual([401, 3]);
    });

    it('answers status 3 when the identity names an account the row does not have', async () => {
      const me = await registerAndLogin(observe, alpha, 'identity_owner');
      const res = await observe.call('GET', '/internal/players/info', { brand: alpha, identity: { ...me, account: 'someone_else' } });
      expect([res.http, res.status]).toEqual([401, 3]);
    });
  });

  describe('X-Brand-Id differs from the player row brand (CONTRACTS §11)', () => {
    let playerOfBeta: Awaited<ReturnType<typeof registerAndLogin>>;

    beforeAll(async () => {
      playerOfBeta = await registerAndLogin(observe, beta, 'mismatch_player');
    });

    it('observe: counts player_brand_mismatch and uses the request brand, where the player does not exist (status 3)', async () => {
      const labels = { reason: 'player_brand_mismatch', service: 'player_service' };
      const before = await metric(observe, 'brand_resolution_failed_total', labels);
      const res = await observe.call('GET', '/internal/players/info', { brand: alpha, identity: playerOfBeta });
      expect([res.http, res.status]).toEqual([401, 3]);
      expect(await metric(observe, 'brand_resolution_failed_total', labels)).toBe(before + 1);
    });

    it('enforce: rejects with 403 status 51 and counts it', async () => {
      const labels = { reason: 'player_brand_mismatch', service: 'player_service' };
      const before = await metric(enforce, 'brand_resolution_failed_total', labels);
      const res = await enforce.call('GET', '/internal/players/info', { brand: alpha, identity: playerOfBeta });
      expect([res.http, res.status]).toEqual([403, 51]);
      expect(await metric(enforce, 'brand_resolution_failed_total', labels)).toBe(before + 1);
    });

    it('enforce: the same request with the right brand passes', async () => {
      const res = await enforce.call('GET', '/internal/players/info', { brand: beta, identity: playerOfBeta });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(res.data).toMatchObject({ player_id: playerOfBeta.playerId, account: 'mismatch_player', brand_id: beta });
    });

    it('off: passes without counting, serving the player from its own brand', async () => {
      const labels = { reason: 'player_brand_mismatch', service: 'player_service' };
      const before = await metric(off, 'brand_resolution_failed_total', labels);
      const res = await off.call('GET', '/internal/players/info', { brand: alpha, identity: playerOfBeta });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(res.data).toMatchObject({ player_id: playerOfBeta.playerId, brand_id: beta });
      expect(await metric(off, 'brand_resolution_failed_total', labels)).toBe(before);
    });

    it('observe: messages of the mismatched player are not served either', async () => {
      const res = await observe.call('GET', '/internal/players/messages', { brand: alpha, identity: playerOfBeta });
      expect(res.status).toBe(3);
    });
  });

  it('answers unknown routes with 404 status 5', async () => {
    const res = await observe.call('GET', '/internal/players/nope', { brand: alpha });
    expect([res.http, res.status]).toEqual([404, 5]);
  });

  it('serves /health without authentication, naming service and mode', async () => {
    const res = await fetch(`${enforce.url}/health`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.data).toMatchObject({
      service: 'player_service',
      multi_brand_enforcement: 'enforce',
      checks: { db: 'ok', redis: 'ok', outbox: 'ok' },
    });
    expect(body.data.jwt_kid).toBe(h.keys.kid);
  });
});
