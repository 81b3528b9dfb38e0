// Player password recovery per seed 000 "multi-brand" section and ADR-009: brand precedence, strict mismatch, no existence oracle, rate limits, hashed codes, single-use tokens, audit in the same transaction.
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { contactHash, ipHash } from '@app/crypto';
import { contactLookupHash } from '@app/recovery';
import { makeKeyPair } from '../support/keys';
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

const PHONE = '+821050505050';

describe('player recovery', () => {
  let h: PlayerHarness;
  let app: PlayerApp;
  let enforce: PlayerApp;
  let alpha: number;
  let beta: number;
  let alphaPlayer: number;
  let betaPlayer: number;
  let ipSeq = 0;
  /** A fresh client IP per call keeps the per-IP limit out of tests that are not about it. */
  const ip = () => `192.0.2.${(ipSeq++ % 250) + 1}`;

  beforeAll(async () => {
    h = await startPlayerHarness('player-recovery');
    alpha = await h.createBrand('alpha');
    beta = await h.createBrand('beta');
    app = await h.boot({ RECOVERY_RATE_LIMIT_PER_CONTACT: '4', RECOVERY_RATE_LIMIT_PER_IP: '6' });
    enforce = await h.boot({ MULTI_BRAND_ENFORCEMENT: 'enforce', RECOVERY_RATE_LIMIT_PER_CONTACT: '50', RECOVERY_RATE_LIMIT_PER_IP: '500' });
    alphaPlayer = (await registerAndLogin(app, alpha, 'rec_user', 'alpha-pass-1', { phone: PHONE })).playerId;
    betaPlayer = (await registerAndLogin(app, beta, 'rec_user', 'beta-pass-1', { phone: PHONE })).playerId;
  });
  afterAll(() => h.close());

  const audits = async (where = 'true', params: unknown[] = []) =>
    (
      await h.pg.query(
        `SELECT brand_id, subject_type, subject_id, action, outcome, contact_hash, ip_hash, metadata FROM recovery_audit WHERE ${where} ORDER BY id`,
        params,
      )
    ).rows;

  const passwordHash = async (id: number) => (await h.pg.query('SELECT password_hash FROM player WHERE id = $1', [id])).rows[0].password_hash;

  /** Tests that are not about the per-contact limit start from a fresh window for the shared phone. */
  const resetContactWindow = (brand: number, contact: string) =>
    h.redis.del(
      `recovery:player:rl:request:contact:${brand}:${contactLookupHash(contact, PASSWORD_SALT)}`,
      `recovery:player:rl:verify:contact:${brand}:${contactLookupHash(contact, PASSWORD_SALT)}`,
    );

  async function requestCode(target: PlayerApp, brand: number, contact = PHONE, from = ip()): Promise<string> {
    await resetContactWindow(brand, contact);
    const seen = h.sms.count(contact);
    const res = await target.call('POST', '/internal/players/recovery/request', { brand, ip: from, body: { contact } });
    expect([res.http, res.status, res.data]).toEqual([200, 0, { accepted: true }]);
    return h.sms.waitForCode(contact, seen);
  }

  async function resetToken(target: PlayerApp, brand: number, contact = PHONE): Promise<string> {
    const code = await requestCode(target, brand, contact);
    const res = await target.call('POST', '/internal/players/recovery/verify', { brand, ip: ip(), body: { contact, code } });
    expect([res.http, res.status]).toEqual([200, 0]);
    return res.data.reset_token;
  }

  /** A recovery token minted before brand-aware issuance: no brand_id claim. */
  async function legacyToken(sub: number): Promise<string> {
    const jti = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ typ: 'recovery', subject_type: 'player', sub: String(sub), jti, iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: h.keys.kid })
      .sign(createPrivateKey(h.keys.privateKeyPem));
    await h.redis.set(`recovery:player:jti:${jti}`, `legacy:${sub}`, 'EX', 600);
    return token;
  }

  it('runs request → verify → reset, revoking sessions, emitting the event, auditing each step with hashes only', async () => {
    const session = await login(app, alpha, 'rec_user', 'alpha-pass-1');
    expect(await h.redis.get(`user-session:brand:${alpha}:rec_user`)).not.toBeNull();
    const from = '198.51.100.77';
    const since = (await h.pg.query('SELECT coalesce(max(id), 0) AS id FROM recovery_audit')).rows[0].id;

    const code = await requestCode(app, alpha, PHONE, from);
    expect(code).toMatch(/^\d{6}$/);
    const verified = await app.call('POST', '/internal/players/recovery/verify', { brand: alpha, ip: from, body: { contact: PHONE, code } });
    expect([verified.http, verified.status]).toEqual([200, 0]);
    const claims = claimsOf(verified.data.reset_token);
    expect(claims).toMatchObject({ typ: 'recovery', subject_type: 'player', sub: String(alphaPlayer), brand_id: alpha });
    expect(claims.exp - claims.iat).toBe(15 * 60);

    const reset = await app.call('POST', '/internal/players/recovery/reset', {
      brand: alpha,
      ip: from,
      body: { reset_token: verified.data.reset_token, new_password: 'alpha-new-2' },
    });
    expect([reset.http, reset.status, reset.data]).toEqual([200, 0, null]);

    expect(await h.redis.get(`user-session:brand:${alpha}:rec_user`)).toBeNull();
    expect((await app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'rec_user', password: 'alpha-pass-1' } })).status).toBe(1);
    await login(app, alpha, 'rec_user', 'alpha-new-2');
    // beta's player with the same account and phone is untouched.
    await login(app, beta, 'rec_user', 'beta-pass-1');
    expect(session.jti).toBeTruthy();

    const rows = await audits('id > $1', [since]);
    expect(rows.map((r) => [r.brand_id, r.action, r.outcome, r.subject_id])).toEqual([
      [alpha, 'REQUEST', 'issued', String(alphaPlayer)],
      [alpha, 'VERIFY', 'success', String(alphaPlayer)],
      [alpha, 'RESET', 'success', String(alphaPlayer)],
    ]);
    for (const row of rows) {
      expect(row.subject_type).toBe('player');
      expect(row.ip_hash).toBe(ipHash(from));
    }
    expect(rows[0].contact_hash).toBe(contactHash(PHONE));
    expect(rows[2].metadata).toMatchObject({ step: 'reset', brand_source: 'token', sessions_revoked: true });
    const text = JSON.stringify(rows);
    expect(text).not.toContain('50505050');
    expect(text).not.toContain(code);
    expect(text).not.toContain(verified.data.reset_token);
    expect(text).not.toContain('alpha-new-2');

    const { rows: events } = await h.pg.query(`SELECT envelope FROM player_outbox WHERE event_type = 'PLAYER_PASSWORD_CHANGED' AND aggregate_id = $1`, [
      String(alphaPlayer),
    ]);
    expect(events.map((e) => e.envelope.payload)).toEqual([{ player_id: alphaPlayer, brand_id: alpha, source: 'recovery', sessions_revoked: true }]);
  });

  it('keeps the code in Redis only as a keyed digest, under a keyed key name, with the token TTL', async () => {
    await requestCode(app, alpha);
    const key = `recovery:player:code:${alpha}:${contactLookupHash(PHONE, PASSWORD_SALT)}`;
    const stored = await h.redis.hgetall(key);
    expect(stored).toEqual({ h: expect.stringMatching(/^[0-9a-f]{64}$/), s: String(alphaPlayer), n: '0' });
    expect(JSON.stringify(stored)).not.toContain(h.sms.lastCode(PHONE) as string);
    expect(await h.redis.ttl(key)).toBeGreaterThan(15 * 60 - 10);
    // Key names carry the keyed digest, never the plain SHA-256 a phone number could be brute-forced from.
    expect((await h.redis.keys('recovery:*')).join(' ')).not.toContain(contactHash(PHONE));
  });

  describe('no existence oracle', () => {
    it('answers an unknown contact byte for byte like a known one, sends nothing, and audits it', async () => {
      const known = await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: ip(), body: { contact: PHONE } });
      const unknownPhone = '+821099990001';
      const unknown = await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: ip(), body: { contact: unknownPhone } });
      expect(unknown.http).toBe(known.http);
      expect(unknown.raw).toBe(known.raw);
      await new Promise((r) => setTimeout(r, 100));
      expect(h.sms.count(unknownPhone)).toBe(0);
      const [row] = await audits('contact_hash = $1', [contactHash(unknownPhone)]);
      expect(row).toMatchObject({ brand_id: alpha, action: 'REQUEST', outcome: 'unknown_contact', subject_id: null });
    });

    it('answers a wrong code and an unknown contact with the same status 1 body', async () => {
      const code = await requestCode(app, alpha);
      const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      const wrong = await app.call('POST', '/internal/players/recovery/verify', { brand: alpha, ip: ip(), body: { contact: PHONE, code: wrongCode } });
      const unknown = await app.call('POST', '/internal/players/recovery/verify', { brand: alpha, ip: ip(), body: { contact: '+821099990002', code: '123456' } });
      expect([wrong.http, wrong.status]).toEqual([422, 1]);
      expect(unknown.raw).toBe(wrong.raw);
      const rows = await audits(`action = 'VERIFY' AND outcome = 'invalid_code' AND contact_hash = ANY($1)`, [[contactHash(PHONE), contactHash('+821099990002')]]);
      expect(rows.map((r) => r.metadata.reason).sort()).toEqual(['mismatch', 'missing']);
    });

    it('takes a similar time for known and unknown contacts: a slow SMS provider does not show (delivery is not awaited)', async () => {
      h.sms.delayMs = 400;
      const time = async (contact: string) => {
        const started = process.hrtime.bigint();
        await app.call('POST', '/internal/players/recovery/request', { brand: beta, ip: ip(), body: { contact } });
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      const sentBefore = h.sms.count(PHONE);
      try {
        for (let i = 0; i < 6; i += 1) {
          // Distinct unknown contacts and a reset window keep both sides under the per-contact limit.
          await resetContactWindow(beta, PHONE);
          known.push(await time(PHONE));
          unknown.push(await time(`+8210777700${String(i).padStart(2, '0')}`));
        }
      } finally {
        h.sms.delayMs = 0;
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      // Awaiting the 400 ms provider would put the known path ≥ 400 ms behind.
      expect(Math.abs(median(known) - median(unknown))).toBeLessThan(150);
      // Every known request still got its SMS (after the answer); later tests must not see these late.
      const deadline = Date.now() + 3000;
      while (h.sms.count(PHONE) < sentBefore + 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(h.sms.count(PHONE)).toBe(sentBefore + 6);
    });
  });

  describe('same contact in two brands', () => {
    it('recovers each brand independently with brand-scoped codes and tokens', async () => {
      const alphaCode = await requestCode(app, alpha);
      const betaCode = await requestCode(app, beta);
      // alpha's code does not verify in beta (unless both codes happen to be equal).
      if (alphaCode !== betaCode) {
        const cross = await app.call('POST', '/internal/players/recovery/verify', { brand: beta, ip: ip(), body: { contact: PHONE, code: alphaCode } });
        expect(cross.status).toBe(1);
      }
      const betaToken = await app.call('POST', '/internal/players/recovery/verify', { brand: beta, ip: ip(), body: { contact: PHONE, code: betaCode } });
      expect(claimsOf(betaToken.data.reset_token)).toMatchObject({ brand_id: beta, sub: String(betaPlayer) });
      const beforeAlpha = await passwordHash(alphaPlayer);
      const res = await app.call('POST', '/internal/players/recovery/reset', { brand: beta, ip: ip(), body: { reset_token: betaToken.data.reset_token, new_password: 'beta-new-2' } });
      expect(res.status).toBe(0);
      await login(app, beta, 'rec_user', 'beta-new-2');
      expect(await passwordHash(alphaPlayer)).toBe(beforeAlpha);
    });
  });

  describe('limits', () => {
    it('rate-limits requests per contact (429 status 6), identically for unknown contacts, and audits RATE_LIMITED', async () => {
      const contact = '+821066660001';
      for (const target of [contact, '+821066660002']) {
        if (target === contact) {
          await registerAndLogin(app, alpha, 'limited_user', 'secret-pass-1', { phone: contact });
        }
        const statuses: number[] = [];
        for (let i = 0; i < 5; i += 1) {
          statuses.push((await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: ip(), body: { contact: target } })).status);
        }
        expect(statuses).toEqual([0, 0, 0, 0, 6]);
      }
      const rows = await audits(`action = 'RATE_LIMITED' AND contact_hash = $1`, [contactHash(contact)]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ brand_id: alpha, outcome: 'rejected', metadata: { step: 'request', limit: 'contact', contact_kind: 'phone' } });
    });

    it('rate-limits requests per IP across contacts', async () => {
      const from = '203.0.113.200';
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        statuses.push((await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: from, body: { contact: `+8210888800${i}0` } })).status);
      }
      expect(statuses).toEqual([0, 0, 0, 0, 0, 0, 6]);
      const rows = await audits(`action = 'RATE_LIMITED' AND ip_hash = $1`, [ipHash(from)]);
      expect(rows.map((r) => r.metadata.limit)).toEqual(['ip']);
    });

    it('burns a code after RECOVERY_MAX_ATTEMPTS wrong guesses', async () => {
      const code = await requestCode(enforce, beta);
      for (let i = 1; i <= 5; i += 1) {
        const guess = String((Number(code) + i) % 1_000_000).padStart(6, '0');
        expect((await enforce.call('POST', '/internal/players/recovery/verify', { brand: beta, ip: ip(), body: { contact: PHONE, code: guess } })).status).toBe(1);
      }
      const late = await enforce.call('POST', '/internal/players/recovery/verify', { brand: beta, ip: ip(), body: { contact: PHONE, code } });
      expect(late.status).toBe(1);
    });

    it('rejects a malformed contact with 400 status 2 without echoing it', async () => {
      const res = await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: ip(), body: { contact: 'call me maybe' } });
      expect([res.http, res.status]).toEqual([400, 2]);
      expect(res.raw).not.toContain('call me');
    });
  });

  describe('reset tokens', () => {
    it('are single use', async () => {
      const token = await resetToken(enforce, beta);
      expect((await enforce.call('POST', '/internal/players/recovery/reset', { brand: beta, ip: ip(), body: { reset_token: token, new_password: 'beta-new-3' } })).status).toBe(0);
      const again = await enforce.call('POST', '/internal/players/recovery/reset', { brand: beta, ip: ip(), body: { reset_token: token, new_password: 'beta-new-4' } });
      expect([again.http, again.status]).toEqual([422, 1]);
      await login(enforce, beta, 'rec_user', 'beta-new-3');
      const [row] = (await audits(`action = 'TOKEN_INVALID' AND brand_id = $1`, [beta])).slice(-1);
      expect(row).toMatchObject({ subject_id: String(betaPlayer), metadata: { step: 'reset', reason: 'used_or_expired' } });
    });

    it('refuse garbage, a foreign-key signature and a player access token (status 1, audited TOKEN_INVALID)', async () => {
      const foreign = makeKeyPair();
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ typ: 'recovery', subject_type: 'player', sub: String(alphaPlayer), brand_id: alpha, jti: randomUUID(), iat: now, exp: now + 600 })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: h.keys.kid })
        .sign(createPrivateKey(foreign.privateKeyPem));
      const access = (await login(app, beta, 'rec_user', 'beta-new-3')).token;
      const before = (await audits(`action = 'TOKEN_INVALID'`)).length;
      for (const token of ['not.a.token', forged, access]) {
        const res = await app.call('POST', '/internal/players/recovery/reset', { brand: alpha, ip: ip(), body: { reset_token: token, new_password: 'never-set-1' } });
        expect([res.http, res.status, res.msg]).toEqual([422, 1, 'invalid or expired reset token']);
      }
      expect((await audits(`action = 'TOKEN_INVALID'`)).length).toBe(before + 3);
    });
  });

  describe('brand precedence (token brand wins, domain is the fallback, mismatch refused in every mode)', () => {
    it('uses the token’s brand_id even when X-Brand-Id names another brand', async () => {
      const token = await resetToken(app, alpha);
      const res = await app.call('POST', '/internal/players/recovery/reset', { brand: beta, ip: ip(), body: { reset_token: token, new_password: 'alpha-new-5' } });
      expect(res.status).toBe(0);
      await login(app, alpha, 'rec_user', 'alpha-new-5');
      const [row] = (await audits(`action = 'RESET' AND outcome = 'success'`)).slice(-1);
      expect(row).toMatchObject({ brand_id: alpha, subject_id: String(alphaPlayer), metadata: { brand_source: 'token' } });
    });

    it('falls back to the request brand for a token without brand_id', async () => {
      const token = await legacyToken(alphaPlayer);
      const res = await app.call('POST', '/internal/players/recovery/reset', { brand: alpha, ip: ip(), body: { reset_token: token, new_password: 'alpha-new-6' } });
      expect(res.status).toBe(0);
      await login(app, alpha, 'rec_user', 'alpha-new-6');
      const [row] = (await audits(`action = 'RESET' AND outcome = 'success'`)).slice(-1);
      expect(row.metadata).toMatchObject({ brand_source: 'domain' });
    });

    it.each([
      ['observe', () => app],
      ['enforce', () => enforce],
    ])('refuses a resolved brand the account does not belong to with 403 status 51 in %s mode, audited BRAND_MISMATCH', async (_mode, target) => {
      const labels = { reason: 'recovery_brand_mismatch', service: 'player_service' };
      const before = await metric(target(), 'brand_resolution_failed_total', labels);
      const hash = await passwordHash(alphaPlayer);
      const token = await legacyToken(alphaPlayer);
      const res = await target().call('POST', '/internal/players/recovery/reset', { brand: beta, ip: ip(), body: { reset_token: token, new_password: 'hijacked-1' } });
      expect([res.http, res.status]).toEqual([403, 51]);
      expect(await passwordHash(alphaPlayer)).toBe(hash);
      expect(await metric(target(), 'brand_resolution_failed_total', labels)).toBe(before + 1);
      const [row] = (await audits(`action = 'BRAND_MISMATCH'`)).slice(-1);
      expect(row).toMatchObject({ brand_id: beta, subject_id: String(alphaPlayer), outcome: 'rejected', metadata: { step: 'reset', brand_source: 'domain' } });
    });
  });

  describe('audit in the same transaction as the side effect', () => {
    it('leaves the password, the sessions and the outbox unchanged when the RESET audit insert fails, and the token stays usable', async () => {
      const token = await resetToken(app, alpha);
      await login(app, alpha, 'rec_user', 'alpha-new-6');
      const hash = await passwordHash(alphaPlayer);
      const events = async () =>
        Number((await h.pg.query(`SELECT count(*) AS n FROM player_outbox WHERE event_type = 'PLAYER_PASSWORD_CHANGED' AND aggregate_id = $1`, [String(alphaPlayer)])).rows[0].n);
      const eventsBefore = await events();

      // Test-only trigger in the suite database: the audit table refuses RESET rows.
      await h.pg.query(`CREATE FUNCTION fail_reset_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$`);
      await h.pg.query(`CREATE TRIGGER fail_reset_audit BEFORE INSERT ON recovery_audit FOR EACH ROW WHEN (NEW.action = 'RESET') EXECUTE FUNCTION fail_reset_audit()`);
      let res;
      try {
        res = await app.call('POST', '/internal/players/recovery/reset', { brand: alpha, ip: ip(), body: { reset_token: token, new_password: 'should-not-stick' } });
      } finally {
        await h.pg.query('DROP TRIGGER fail_reset_audit ON recovery_audit');
      }
      expect(res.http).toBe(500);
      expect(res.raw).not.toMatch(/audit storage|recovery_audit|INSERT/);
      expect(await passwordHash(alphaPlayer)).toBe(hash);
      expect(await h.redis.get(`user-session:brand:${alpha}:rec_user`)).not.toBeNull();
      expect(await events()).toBe(eventsBefore);
      expect((await app.call('POST', '/internal/players/login', { brand: alpha, body: { account: 'rec_user', password: 'should-not-stick' } })).status).toBe(1);

      // The failure gave the token back: the same token now resets.
      const retry = await app.call('POST', '/internal/players/recovery/reset', { brand: alpha, ip: ip(), body: { reset_token: token, new_password: 'alpha-new-7' } });
      expect(retry.status).toBe(0);
      await login(app, alpha, 'rec_user', 'alpha-new-7');
    });
  });

  describe('delivery', () => {
    it('counts recovery_sms_delivery_failed_total when the provider fails, answering the same accepted body', async () => {
      const before = await metric(app, 'recovery_sms_delivery_failed_total', { service: 'player_service' });
      h.sms.status = 503;
      try {
        const contact = '+821012340099';
        await registerAndLogin(app, alpha, 'sms_down_user', 'secret-pass-1', { phone: contact });
        const res = await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: ip(), body: { contact } });
        expect(res.data).toEqual({ accepted: true });
        const deadline = Date.now() + 3000;
        while (Date.now() < deadline && (await metric(app, 'recovery_sms_delivery_failed_total', { service: 'player_service' })) === before) {
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        h.sms.status = 200;
      }
      expect(await metric(app, 'recovery_sms_delivery_failed_total', { service: 'player_service' })).toBe(before + 1);
    });

    it('counts recovery_email_unprovisioned_total for an email contact of a known account', async () => {
      const email = 'Rec.User@Example.com';
      const me = await registerAndLogin(app, alpha, 'email_user');
      await h.pg.query('UPDATE player SET email_hash = $1 WHERE id = $2', [contactLookupHash(email.toLowerCase(), PASSWORD_SALT), me.playerId]);
      const before = await metric(app, 'recovery_email_unprovisioned_total', { service: 'player_service' });
      const res = await app.call('POST', '/internal/players/recovery/request', { brand: alpha, ip: ip(), body: { contact: email } });
      expect(res.data).toEqual({ accepted: true });
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline && (await metric(app, 'recovery_email_unprovisioned_total', { service: 'player_service' })) === before) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await metric(app, 'recovery_email_unprovisioned_total', { service: 'player_service' })).toBe(before + 1);
      const [row] = await audits('contact_hash = $1', [contactHash(email)]);
      expect(row).toMatchObject({ action: 'REQUEST', outcome: 'issued', subject_id: String(me.playerId), metadata: { contact_kind: 'email' } });
    });

    it('refuses recovery when the brand feature_policy turns it off (status 1)', async () => {
      const brand = await h.createBrand('no_recovery');
      await h.pg.query(`INSERT INTO brand_config (brand_id, key, value) VALUES ($1, 'feature_policy', '{"recovery": false}')`, [brand]);
      const res = await app.call('POST', '/internal/players/recovery/request', { brand, ip: ip(), body: { contact: PHONE } });
      expect([res.http, res.status]).toEqual([422, 1]);
    });
  });
});
