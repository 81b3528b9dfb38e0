// Player registration, registration SMS, login, logout (seed 000; ADR-009 per-brand identity; CONTRACTS §4, §5, §7).
import { createPublicKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { hashCode } from '@app/crypto';
import { contactLookupHash } from '@app/recovery';
import {
  claimsOf,
  login,
  metric,
  PASSWORD_SALT,
  type PlayerApp,
  type PlayerHarness,
  registerAndLogin,
  startPlayerHarness,
} from './harness';

describe('player auth and registration', () => {
  let h: PlayerHarness;
  let app: PlayerApp;
  let enforce: PlayerApp;
  let off: PlayerApp;
  let alpha: number;
  let beta: number;

  beforeAll(async () => {
    h = await startPlayerHarness('player-auth');
    alpha = await h.createBrand('alpha');
    beta = await h.createBrand('beta');
    app = await h.boot({ RECOVERY_RATE_LIMIT_PER_CONTACT: '3' });
    enforce = await h.boot({ MULTI_BRAND_ENFORCEMENT: 'enforce' });
    off = await h.boot({ MULTI_BRAND_ENFORCEMENT: 'off' });
  });
  afterAll(() => h.close());

  const players = async (account: string) =>
    (
      await h.pg.query(
        'SELECT id, brand_id, account, password_hash, phone_num, phone_hash, agent_id, level, status, register_ip FROM player WHERE account = $1 ORDER BY id',
        [account],
      )
    ).rows;

  const setConfig = (brandId: number, key: string, value: unknown) =>
    h.pg.query(
      `INSERT INTO brand_config (brand_id, key, value) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (brand_id, key) DO UPDATE SET value = EXCLUDED.value`,
      [brandId, key, JSON.stringify(value)],
    );

  describe('registration', () => {
    it('registers under the request brand and stores the phone encrypted with a keyed lookup digest', async () => {
      const res = await app.call('POST', '/internal/players/register', {
        brand: alpha,
        ip: '203.0.113.7',
        body: { account: 'reg_alice', password: 'secret-pass-1', phone: '+82 10-1111-2222' },
      });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(res.data).toEqual({ player_id: expect.any(Number), account: 'reg_alice', brand_id: alpha });
      const [row] = await players('reg_alice');
      expect(row).toMatchObject({ id: String(res.data.player_id), brand_id: alpha, status: 'enabled', level: 1, register_ip: '203.0.113.7' });
      expect(row.phone_num).toMatch(/^aesgcm:v1:/);
      expect(row.phone_num).not.toContain('11112222');
      expect(row.phone_hash).toBe(contactLookupHash('+821011112222', PASSWORD_SALT));
      expect(row.password_hash).toMatch(/^scrypt\$N=16384,r=8,p=1\$/);
    });

    it('lets the same account and the same phone register independently in two brands', async () => {
      const body = { account: 'twin', password: 'pass-in-alpha', phone: '+821033334444' };
      const a = await app.call('POST', '/internal/players/register', { brand: alpha, body });
      const b = await app.call('POST', '/internal/players/register', { brand: beta, body: { ...body, password: 'pass-in-beta' } });
      expect([a.status, b.status]).toEqual([0, 0]);
      expect(a.data.player_id).not.toBe(b.data.player_id);
      expect((await players('twin')).map((r) => r.brand_id)).toEqual([alpha, beta]);
      // Each brand's player has its own password.
      expect((await app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'twin', password: 'pass-in-beta' } })).status).toBe(1);
      const inBeta = await login(app, beta, 'twin', 'pass-in-beta');
      expect(inBeta.playerId).toBe(b.data.player_id);
    });

    it('refuses a duplicate account in the same brand with 409 status 8', async () => {
      await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'dupe', password: 'secret-pass-1' } });
      const again = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'dupe', password: 'other-pass-2' } });
      expect([again.http, again.status]).toEqual([409, 8]);
      expect(await players('dupe')).toHaveLength(1);
    });

    it('lets only one of several concurrent registrations with the same phone through', async () => {
      // A slow insert holds each registration between its phone check and its commit, where the
      // others would otherwise check too.
      await h.pg.query(
        `CREATE FUNCTION slow_player_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$`,
      );
      await h.pg.query(
        `CREATE TRIGGER slow_player_insert BEFORE INSERT ON player FOR EACH ROW WHEN (NEW.account LIKE 'same_phone_%') EXECUTE FUNCTION slow_player_insert()`,
      );
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          app.call('POST', '/internal/players/register', {
            brand: alpha,
            body: { account: `same_phone_${i}`, password: 'secret-pass-1', phone: '+821055501234' },
          }),
        ),
      ).finally(async () => {
        await h.pg.query('DROP TRIGGER slow_player_insert ON player');
        await h.pg.query('DROP FUNCTION slow_player_insert()');
      });
      expect(results.filter((r) => r.status === 0)).toHaveLength(1);
      expect(results.filter((r) => r.http === 409 && r.status === 8)).toHaveLength(5);
      const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM player WHERE brand_id = $1 AND account LIKE 'same_phone_%'`, [alpha]);
      expect(rows[0].n).toBe(1);
    });

    it('refuses a phone already registered in the same brand with status 8', async () => {
      await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'phone_a', password: 'secret-pass-1', phone: '+821055556666' } });
      const res = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'phone_b', password: 'secret-pass-1', phone: '+821055556666' } });
      expect([res.http, res.status]).toEqual([409, 8]);
      expect(await players('phone_b')).toHaveLength(0);
    });

    it.each([
      ['observe', () => app],
      ['enforce', () => enforce],
      ['off', () => off],
    ])('refuses a body brand_id other than X-Brand-Id with 403 status 51 and creates nothing (%s)', async (mode, which) => {
      const account = `body_brand_${mode}`;
      const labels = { reason: 'register_body_brand_mismatch', service: 'player_service' };
      const before = await metric(which(), 'brand_resolution_failed_total', labels);
      for (const brandId of [beta, String(beta), 'x']) {
        const res = await which().call('POST', '/internal/players/register', { brand: alpha, body: { account, password: 'secret-pass-1', brand_id: brandId } });
        expect([res.http, res.status]).toEqual([403, 51]);
      }
      expect(await players(account)).toHaveLength(0);
      expect(await metric(which(), 'brand_resolution_failed_total', labels)).toBe(before + 3);
      const same = await which().call('POST', '/internal/players/register', { brand: alpha, body: { account, password: 'secret-pass-1', brand_id: alpha } });
      expect(same.status).toBe(0);
    });

    it('accepts the legacy domain field but never takes the brand from it', async () => {
      await h.redis.set('domain:agent:beta.example', JSON.stringify({ agent_id: 999, brand_id: beta }));
      const res = await app.call('POST', '/internal/players/register', {
        brand: alpha,
        body: { account: 'legacy_domain', password: 'secret-pass-1', domain: 'beta.example' },
      });
      expect(res.status).toBe(0);
      expect(res.data.brand_id).toBe(alpha);
      expect((await players('legacy_domain'))[0]).toMatchObject({ brand_id: alpha, agent_id: null });
    });

    describe('agent and level from the domain maps', () => {
      let agentId: number;

      beforeAll(async () => {
        const { rows } = await h.pg.query<{ guid: string }>(`INSERT INTO agent (account, password_hash) VALUES ('agent_one', 'x') RETURNING guid`);
        agentId = Number(rows[0].guid);
        await h.pg.query(`INSERT INTO agent_brand (agent_id, brand_id) VALUES ($1, $2), ($1, $3)`, [agentId, alpha, beta]);
        await h.redis.set('domain:agent:a1.alpha.example', JSON.stringify({ agent_id: agentId, brand_id: alpha }));
        await h.redis.set('domain:level:a1.alpha.example', JSON.stringify({ level: 3, brand_id: alpha }));
        await h.redis.set('domain:agent:a1.beta.example', JSON.stringify({ agent_id: agentId, brand_id: beta }));
      });

      it('assigns the agent and level of the domain in the request brand', async () => {
        const res = await app.call('POST', '/internal/players/register', {
          brand: alpha,
          body: { account: 'by_domain', password: 'secret-pass-1', domain: 'https://A1.alpha.example:8443/register' },
        });
        expect(res.status).toBe(0);
        expect((await players('by_domain'))[0]).toMatchObject({ agent_id: String(agentId), level: 3, status: 'enabled' });
      });

      it('takes the domain resolved by the gateway (X-Request-Domain) when the body has none', async () => {
        const res = await app.call('POST', '/internal/players/register', {
          brand: alpha,
          headers: { 'x-request-domain': 'a1.alpha.example' },
          body: { account: 'by_gw_domain', password: 'secret-pass-1' },
        });
        expect(res.status).toBe(0);
        expect((await players('by_gw_domain'))[0]).toMatchObject({ agent_id: String(agentId), level: 3 });
      });

      it('takes X-Request-Domain over a body domain, so a client cannot escape a closed agent', async () => {
        await h.pg.query(`INSERT INTO agent_setting (agent_id, brand_id, registration_mode) VALUES ($1, $2, 'closed')`, [agentId, alpha]);
        try {
          for (const domain of ['nope.invalid', '', 'vip.elsewhere.example']) {
            const res = await app.call('POST', '/internal/players/register', {
              brand: alpha,
              headers: { 'x-request-domain': 'a1.alpha.example' },
              body: { account: 'escapee', password: 'secret-pass-1', domain },
            });
            expect([res.http, res.status]).toEqual([422, 1]);
          }
          expect(await players('escapee')).toHaveLength(0);
        } finally {
          await h.pg.query(`DELETE FROM agent_setting WHERE agent_id = $1 AND brand_id = $2`, [agentId, alpha]);
        }
      });

      it('refuses registration when agent_setting(agent, brand) is closed, per brand', async () => {
        await h.pg.query(`INSERT INTO agent_setting (agent_id, brand_id, registration_mode) VALUES ($1, $2, 'closed')`, [agentId, beta]);
        const closed = await app.call('POST', '/internal/players/register', { brand: beta, body: { account: 'closed_reg', password: 'secret-pass-1', domain: 'a1.beta.example' } });
        expect([closed.http, closed.status]).toEqual([422, 1]);
        expect(await players('closed_reg')).toHaveLength(0);
        // The same agent is open in alpha (no setting row = open).
        const open = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'closed_reg', password: 'secret-pass-1', domain: 'a1.alpha.example' } });
        expect(open.status).toBe(0);
      });

      it('registers a disabled player in approval mode, who cannot log in yet', async () => {
        await h.pg.query(`INSERT INTO agent_setting (agent_id, brand_id, registration_mode) VALUES ($1, $2, 'approval')`, [agentId, alpha]);
        const res = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'needs_ok', password: 'secret-pass-1', domain: 'a1.alpha.example' } });
        expect(res.status).toBe(0);
        expect((await players('needs_ok'))[0].status).toBe('disabled');
        const denied = await app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'needs_ok', password: 'secret-pass-1' } });
        expect([denied.http, denied.status]).toEqual([422, 1]);
        await h.pg.query(`DELETE FROM agent_setting WHERE agent_id = $1 AND brand_id = $2`, [agentId, alpha]);
      });
    });

    it('writes PLAYER_REGISTERED to player_outbox in the registering transaction', async () => {
      const res = await app.call('POST', '/internal/players/register', {
        brand: beta,
        body: { account: 'evented', password: 'secret-pass-1', phone: '+821077778888' },
        headers: { 'x-request-id': 'req-register-evented' },
      });
      const { rows } = await h.pg.query(`SELECT brand_id, event_type, aggregate_id, status, envelope FROM player_outbox WHERE aggregate_id = $1`, [
        String(res.data.player_id),
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ brand_id: beta, event_type: 'PLAYER_REGISTERED', status: 'pending' });
      expect(rows[0].envelope).toMatchObject({
        schema_version: 2,
        brand_id: beta,
        aggregate_type: 'player',
        producer: 'player_service',
        request_id: 'req-register-evented',
        payload: { player_id: res.data.player_id, brand_id: beta, account: 'evented', status: 'enabled' },
      });
      const text = JSON.stringify(rows[0].envelope);
      expect(text).not.toMatch(/77778888|secret-pass/);
    });

    it('creates no player when the outbox insert fails (one transaction)', async () => {
      await h.pg.query(`CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$`);
      await h.pg.query(
        `CREATE TRIGGER fail_outbox BEFORE INSERT ON player_outbox FOR EACH ROW WHEN (NEW.envelope->'payload'->>'account' = 'outbox_fails') EXECUTE FUNCTION fail_outbox()`,
      );
      try {
        const res = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'outbox_fails', password: 'secret-pass-1' } });
        expect(res.http).toBe(500);
        expect(res.raw).not.toMatch(/outbox down|INSERT|player_outbox/);
        expect(await players('outbox_fails')).toHaveLength(0);
      } finally {
        await h.pg.query('DROP TRIGGER fail_outbox ON player_outbox');
      }
    });

    it('validates the body: bad account, short password, malformed phone → 400 status 2 naming fields only', async () => {
      const res = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'a b', password: '123' } });
      expect([res.http, res.status]).toEqual([400, 2]);
      expect(Object.keys(res.data.fields).sort()).toEqual(['account', 'password']);
      const phone = await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'bad_phone', password: 'secret-pass-1', phone: '12ab' } });
      expect([phone.http, phone.status]).toEqual([400, 2]);
      expect(phone.raw).not.toContain('12ab');
    });

    describe('brand registration_policy / feature_policy (brand_config, global defaults otherwise)', () => {
      it('refuses registration when the brand turns it off', async () => {
        const brand = await h.createBrand('closed_brand');
        await setConfig(brand, 'feature_policy', { registration: false });
        const res = await app.call('POST', '/internal/players/register', { brand, body: { account: 'nobody_here', password: 'secret-pass-1' } });
        expect([res.http, res.status]).toEqual([422, 1]);
      });

      it('requires a phone when the policy says so', async () => {
        const brand = await h.createBrand('phone_brand');
        await setConfig(brand, 'registration_policy', { require_phone: true });
        const res = await app.call('POST', '/internal/players/register', { brand, body: { account: 'no_phone', password: 'secret-pass-1' } });
        expect([res.http, res.status]).toEqual([400, 2]);
        expect(res.data.fields).toEqual({ phone: ['isNotEmpty'] });
      });

      it('requires a registration SMS code when the policy says so; the code is single use', async () => {
        const brand = await h.createBrand('sms_brand');
        await setConfig(brand, 'registration_policy', { require_sms_verification: true });
        const phone = '+821012120000';
        const seen = h.sms.count(phone);
        const sent = await app.call('POST', '/internal/players/register/sendSMS', { brand, body: { phone } });
        expect([sent.http, sent.status]).toEqual([200, 0]);
        expect(sent.data).toEqual({ sent: true, expires_in: 300 });
        const code = await h.sms.waitForCode(phone, seen);
        const wrong = await app.call('POST', '/internal/players/register', {
          brand,
          body: { account: 'sms_user', password: 'secret-pass-1', phone, sms_code: code === '000000' ? '111111' : '000000' },
        });
        expect([wrong.http, wrong.status]).toEqual([422, 1]);
        // The code is stored as a keyed digest only.
        const stored = await h.redis.hgetall(`otp:player:register:${brand}:${contactLookupHash(phone, PASSWORD_SALT)}`);
        expect(JSON.stringify(stored)).not.toContain(code);
        const ok = await app.call('POST', '/internal/players/register', { brand, body: { account: 'sms_user', password: 'secret-pass-1', phone, sms_code: code } });
        expect(ok.status).toBe(0);
        const reused = await app.call('POST', '/internal/players/register', { brand, body: { account: 'sms_user2', password: 'secret-pass-1', phone, sms_code: code } });
        expect(reused.status).toBe(1);
      });

      it('requires a captcha when the policy says so; the answer is single use', async () => {
        const brand = await h.createBrand('captcha_brand');
        await setConfig(brand, 'registration_policy', { require_captcha: true });
        const challenge = await app.call('GET', '/internal/common/captcha', { brand });
        expect(challenge.status).toBe(0);
        expect(challenge.data.image).toMatch(/^<svg /);
        // The answer is only in the image; the test plants a challenge with a known answer the same way the service stores it.
        const id = '00000000-0000-4000-8000-000000000001';
        await h.redis.set(`captcha:${brand}:${id}`, hashCode('K7M2Q', `captcha:${PASSWORD_SALT}`), 'EX', 60);
        const missing = await app.call('POST', '/internal/players/register', { brand, body: { account: 'cap_user', password: 'secret-pass-1' } });
        expect([missing.http, missing.status]).toEqual([400, 2]);
        const ok = await app.call('POST', '/internal/players/register', {
          brand,
          body: { account: 'cap_user', password: 'secret-pass-1', captcha_id: id, captcha: 'k7m2q' },
        });
        expect(ok.status).toBe(0);
        const reused = await app.call('POST', '/internal/players/register', {
          brand,
          body: { account: 'cap_user2', password: 'secret-pass-1', captcha_id: id, captcha: 'K7M2Q' },
        });
        expect([reused.http, reused.status]).toEqual([422, 1]);
      });
    });

    describe('registration SMS', () => {
      it('rate-limits per phone (429 status 6)', async () => {
        const phone = '+821044440000';
        const statuses: number[] = [];
        for (let i = 0; i < 4; i += 1) statuses.push((await app.call('POST', '/internal/players/register/sendSMS', { brand: alpha, body: { phone } })).status);
        expect(statuses).toEqual([0, 0, 0, 6]);
      });

      it('answers 502 status 7 when the provider fails, counting recovery_sms_delivery_failed_total', async () => {
        const before = await metric(app, 'recovery_sms_delivery_failed_total', { service: 'player_service' });
        h.sms.status = 500;
        try {
          const res = await app.call('POST', '/internal/players/register/sendSMS', { brand: alpha, body: { phone: '+821044441111' } });
          expect([res.http, res.status]).toEqual([502, 7]);
          expect(res.raw).not.toMatch(/44441111/);
        } finally {
          h.sms.status = 200;
        }
        expect(await metric(app, 'recovery_sms_delivery_failed_total', { service: 'player_service' })).toBe(before + 1);
      });
    });
  });

  describe('login', () => {
    it('mints an RS256 player token with brand_id and opens the brand session key with the token lifetime', async () => {
      await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'log_in', password: 'secret-pass-1' } });
      const res = await app.call('POST', '/internal/players/login', { brand: alpha, ip: '198.51.100.9', headers: { 'user-agent': 'suite/1' }, body: { account: 'log_in', password: 'secret-pass-1' } });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(res.data).toMatchObject({ expires_in: 3600, player: { account: 'log_in', brand_id: alpha, player_id: expect.any(Number) } });
      const { payload, protectedHeader } = await jwtVerify(res.data.token, createPublicKey(h.keys.publicKeyPem), { algorithms: ['RS256'] });
      expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT', kid: h.keys.kid });
      expect(payload).toMatchObject({ typ: 'player', sub: String(res.data.player.player_id), account: 'log_in', brand_id: alpha });
      expect(payload.exp! - payload.iat!).toBe(3600);

      const key = `user-session:brand:${alpha}:log_in`;
      expect(JSON.parse((await h.redis.get(key)) as string)).toEqual({ jti: payload.jti, player_id: res.data.player.player_id });
      const ttl = await h.redis.ttl(key);
      expect(ttl).toBeGreaterThan(3590);
      expect(ttl).toBeLessThanOrEqual(3600);

      const { rows } = await h.pg.query(`SELECT brand_id, player_id, success, reason, ip, user_agent FROM player_login_log WHERE account = 'log_in'`);
      expect(rows).toEqual([{ brand_id: alpha, player_id: String(res.data.player.player_id), success: true, reason: null, ip: '198.51.100.9', user_agent: 'suite/1' }]);
    });

    it('replaces the previous session on a new login (one session per player and brand)', async () => {
      const first = await registerAndLogin(app, alpha, 'two_logins');
      const second = await login(app, alpha, 'two_logins', 'secret-pass-1');
      expect(second.jti).not.toBe(first.jti);
      expect(JSON.parse((await h.redis.get(`user-session:brand:${alpha}:two_logins`)) as string).jti).toBe(second.jti);
    });

    it('keeps the sessions of the same account in two brands apart', async () => {
      const a = await registerAndLogin(app, alpha, 'both_brands');
      const b = await registerAndLogin(app, beta, 'both_brands');
      expect(JSON.parse((await h.redis.get(`user-session:brand:${alpha}:both_brands`)) as string).jti).toBe(a.jti);
      expect(JSON.parse((await h.redis.get(`user-session:brand:${beta}:both_brands`)) as string).jti).toBe(b.jti);
      expect(claimsOf(b.token).brand_id).toBe(beta);
    });

    it('answers a wrong password and an unknown account alike (422 status 1) and logs both attempts', async () => {
      await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'wrong_pw', password: 'secret-pass-1' } });
      const wrong = await app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'wrong_pw', password: 'nope-nope' } });
      const unknown = await app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'ghost_acct', password: 'nope-nope' } });
      expect([wrong.http, wrong.status, wrong.msg]).toEqual([422, 1, 'invalid account or password']);
      expect(unknown.raw).toBe(wrong.raw);
      const { rows } = await h.pg.query(`SELECT account, success, reason, player_id IS NULL AS anonymous FROM player_login_log WHERE account IN ('wrong_pw', 'ghost_acct') ORDER BY id`);
      expect(rows).toEqual([
        { account: 'wrong_pw', success: false, reason: 'bad_credentials', anonymous: false },
        { account: 'ghost_acct', success: false, reason: 'bad_credentials', anonymous: true },
      ]);
      expect(await h.redis.get(`user-session:brand:${alpha}:wrong_pw`)).toBeNull();
    });

    it('locks the account out after the brand login_policy number of failures (429 status 6)', async () => {
      const brand = await h.createBrand('lockout_brand');
      await setConfig(brand, 'login_policy', { max_failed_attempts: 2, lockout_seconds: 60 });
      await app.call('POST', '/internal/players/register', { brand, body: { account: 'locked', password: 'secret-pass-1' } });
      for (let i = 0; i < 2; i += 1) {
        expect((await app.call('POST', '/internal/players/login', { brand, body: { account: 'locked', password: 'bad-bad-bad' } })).status).toBe(1);
      }
      const res = await app.call('POST', '/internal/players/login', { brand, body: { account: 'locked', password: 'secret-pass-1' } });
      expect([res.http, res.status]).toEqual([429, 6]);
      expect(await h.redis.ttl(`login:fail:${brand}:locked`)).toBeGreaterThan(0);
      // Another brand's account of the same name is not locked.
      await app.call('POST', '/internal/players/register', { brand: beta, body: { account: 'locked', password: 'secret-pass-1' } });
      expect((await app.call('POST', '/internal/players/login', { brand: beta, body: { account: 'locked', password: 'secret-pass-1' } })).status).toBe(0);
    });
  });

  describe('login races', () => {
    it('checks no more passwords than the lockout allows when the attempts arrive together', async () => {
      const brand = await h.createBrand('lockout_race');
      await setConfig(brand, 'login_policy', { max_failed_attempts: 3, lockout_seconds: 60 });
      await app.call('POST', '/internal/players/register', { brand, body: { account: 'raced', password: 'secret-pass-1' } });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          app.call('POST', '/internal/players/login', { brand, body: { account: 'raced', password: `wrong-pass-${i}` } }),
        ),
      );
      expect(results.filter((r) => r.status === 1)).toHaveLength(3);
      expect(results.filter((r) => r.http === 429 && r.status === 6)).toHaveLength(9);
      const { rows } = await h.pg.query<{ reason: string; n: string }>(
        `SELECT reason, count(*) AS n FROM player_login_log WHERE brand_id = $1 AND account = 'raced' GROUP BY reason ORDER BY reason`,
        [brand],
      );
      expect(rows).toEqual([
        { reason: 'bad_credentials', n: '3' },
        { reason: 'locked_out', n: '9' },
      ]);
      // Locked out now, even with the right password.
      const right = await app.call('POST', '/internal/players/login', { brand, body: { account: 'raced', password: 'secret-pass-1' } });
      expect([right.http, right.status]).toEqual([429, 6]);
    });

    it('refuses a login whose password was changed while it was being checked, and opens no session', async () => {
      await app.call('POST', '/internal/players/register', { brand: alpha, body: { account: 'changed_mid', password: 'secret-pass-1' } });
      const [row] = await players('changed_mid');
      // The test holds the row lock, as a password change in flight would, then changes the hash.
      const changer = await h.pg.connect();
      try {
        await changer.query('BEGIN');
        await changer.query('SELECT id FROM player WHERE id = $1 FOR UPDATE', [row.id]);
        const pending = app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'changed_mid', password: 'secret-pass-1' } });
        // Wait until the login is blocked on the row lock (it has verified the old password by then).
        for (let i = 0; i < 200; i += 1) {
          const { rows } = await h.pg.query(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%FROM "player"%'`,
          );
          if (rows.length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        await changer.query('UPDATE player SET password_hash = $2 WHERE id = $1', [row.id, `${row.password_hash}x`]);
        await changer.query('COMMIT');
        const res = await pending;
        expect([res.http, res.status]).toEqual([422, 1]);
        expect(await h.redis.get(`user-session:brand:${alpha}:changed_mid`)).toBeNull();
        const log = await h.pg.query(`SELECT reason FROM player_login_log WHERE account = 'changed_mid' AND success = false`);
        expect(log.rows).toEqual([{ reason: 'changed_during_login' }]);
      } finally {
        changer.release();
      }
    });
  });

  describe('logout', () => {
    it('deletes the session key', async () => {
      const me = await registerAndLogin(app, alpha, 'leaving');
      const res = await app.call('POST', '/internal/players/logout', { brand: alpha, identity: me });
      expect([res.http, res.status, res.data]).toEqual([200, 0, null]);
      expect(await h.redis.get(`user-session:brand:${alpha}:leaving`)).toBeNull();
    });

    it('leaves a newer session alone when an old token logs out', async () => {
      const old = await registerAndLogin(app, alpha, 'old_token');
      const fresh = await login(app, alpha, 'old_token', 'secret-pass-1');
      await app.call('POST', '/internal/players/logout', { brand: alpha, identity: old });
      expect(JSON.parse((await h.redis.get(`user-session:brand:${alpha}:old_token`)) as string).jti).toBe(fresh.jti);
    });

    it('requires the identity headers', async () => {
      const res = await app.call('POST', '/internal/players/logout', { brand: alpha });
      expect([res.http, res.status]).toEqual([401, 3]);
    });
  });
});
