// Player profile: info with masked PII, password change revoking sessions, OTP-gated phone and bank edits (seed 000; issue 4 point 3).
import { PiiCipher } from '@app/crypto';
import { AES_IV, AES_KEY, login, type PlayerApp, type PlayerHarness, registerAndLogin, startPlayerHarness } from './harness';

describe('player profile', () => {
  let h: PlayerHarness;
  let app: PlayerApp;
  let brand: number;
  const cipher = new PiiCipher({ aesKey: AES_KEY, aesIv: AES_IV, strictDecrypt: true, production: false, service: 'suite' });

  beforeAll(async () => {
    h = await startPlayerHarness('player-profile');
    brand = await h.createBrand('alpha');
    app = await h.boot();
  });
  afterAll(() => h.close());

  const row = async (id: number) =>
    (await h.pg.query('SELECT password_hash, phone_num, phone_hash, bank_name, bank_num, holder_name FROM player WHERE id = $1', [id])).rows[0];

  it('answers info with the phone and bank number masked', async () => {
    const me = await registerAndLogin(app, brand, 'info_user', 'secret-pass-1', { phone: '+821098765432' });
    const res = await app.call('GET', '/internal/players/info', { brand, identity: me });
    expect([res.http, res.status]).toEqual([200, 0]);
    expect(res.data).toMatchObject({
      player_id: me.playerId,
      account: 'info_user',
      brand_id: brand,
      phone: '*********5432',
      bank_num: null,
      level: 1,
      status: 'enabled',
    });
    expect(res.raw).not.toContain('98765432');
  });

  describe('edit password', () => {
    it('needs the old password', async () => {
      const me = await registerAndLogin(app, brand, 'pw_wrong_old');
      const res = await app.call('POST', '/internal/players/edit/password', { brand, identity: me, body: { old_password: 'not-it', new_password: 'new-pass-22' } });
      expect([res.http, res.status]).toEqual([422, 1]);
      expect(await h.redis.get(`user-session:brand:${brand}:pw_wrong_old`)).not.toBeNull();
    });

    it('changes the password, revokes every session and emits PLAYER_PASSWORD_CHANGED', async () => {
      const me = await registerAndLogin(app, brand, 'pw_change');
      const res = await app.call('POST', '/internal/players/edit/password', {
        brand,
        identity: me,
        body: { old_password: 'secret-pass-1', new_password: 'new-pass-22' },
      });
      expect([res.http, res.status, res.data]).toEqual([200, 0, null]);
      expect(await h.redis.get(`user-session:brand:${brand}:pw_change`)).toBeNull();
      expect((await app.call('POST', '/internal/players/login', { brand, body: { account: 'pw_change', password: 'secret-pass-1' } })).status).toBe(1);
      await login(app, brand, 'pw_change', 'new-pass-22');
      const { rows } = await h.pg.query(`SELECT envelope FROM player_outbox WHERE event_type = 'PLAYER_PASSWORD_CHANGED' AND aggregate_id = $1`, [String(me.playerId)]);
      expect(rows).toHaveLength(1);
      expect(rows[0].envelope.payload).toEqual({ player_id: me.playerId, brand_id: brand, source: 'edit', sessions_revoked: true });
    });
  });

  describe('edit phone (OTP to the new phone)', () => {
    it('changes the phone after the code sent to the new number, encrypted at rest, masked in the answer', async () => {
      const me = await registerAndLogin(app, brand, 'phone_edit', 'secret-pass-1', { phone: '+821011110000' });
      const newPhone = '+821022220000';
      const seen = h.sms.count(newPhone);
      const sent = await app.call('POST', '/internal/players/edit/phone/send-sms', { brand, identity: me, body: { phone: newPhone } });
      expect([sent.http, sent.status]).toEqual([200, 0]);
      const code = await h.sms.waitForCode(newPhone, seen);
      const res = await app.call('POST', '/internal/players/edit/phone', { brand, identity: me, body: { phone: newPhone, sms_code: code } });
      expect([res.http, res.status, res.data]).toEqual([200, 0, { phone: '*********0000' }]);
      const stored = await row(me.playerId);
      expect(stored.phone_num).toMatch(/^aesgcm:v1:/);
      expect(cipher.decrypt(stored.phone_num)).toBe(newPhone);
      const { rows } = await h.pg.query(`SELECT envelope FROM player_outbox WHERE event_type = 'PLAYER_PROFILE_CHANGED' AND aggregate_id = $1`, [String(me.playerId)]);
      expect(rows.map((r) => r.envelope.payload)).toEqual([{ player_id: me.playerId, brand_id: brand, fields: ['phone'] }]);
    });

    it('refuses a code issued for another number, and a wrong code, leaving the phone unchanged', async () => {
      const me = await registerAndLogin(app, brand, 'phone_swap', 'secret-pass-1', { phone: '+821033330000' });
      const seen = h.sms.count('+821044440000');
      await app.call('POST', '/internal/players/edit/phone/send-sms', { brand, identity: me, body: { phone: '+821044440000' } });
      const code = await h.sms.waitForCode('+821044440000', seen);
      const swapped = await app.call('POST', '/internal/players/edit/phone', { brand, identity: me, body: { phone: '+821055550000', sms_code: code } });
      expect([swapped.http, swapped.status]).toEqual([422, 1]);
      const wrong = await app.call('POST', '/internal/players/edit/phone', { brand, identity: me, body: { phone: '+821044440000', sms_code: 'zzzzzz' } });
      expect(wrong.status).toBe(1);
      expect(cipher.decrypt((await row(me.playerId)).phone_num)).toBe('+821033330000');
    });

    it('refuses a phone another player of the brand already has (status 8)', async () => {
      await registerAndLogin(app, brand, 'phone_owner', 'secret-pass-1', { phone: '+821066660000' });
      const me = await registerAndLogin(app, brand, 'phone_taker');
      const seen = h.sms.count('+821066660000');
      await app.call('POST', '/internal/players/edit/phone/send-sms', { brand, identity: me, body: { phone: '+821066660000' } });
      const code = await h.sms.waitForCode('+821066660000', seen);
      const res = await app.call('POST', '/internal/players/edit/phone', { brand, identity: me, body: { phone: '+821066660000', sms_code: code } });
      expect([res.http, res.status]).toEqual([409, 8]);
    });
  });

  describe('edit bank (OTP to the phone on file)', () => {
    it('needs a phone on file', async () => {
      const me = await registerAndLogin(app, brand, 'bank_nophone');
      const res = await app.call('POST', '/internal/players/edit/bank/send-sms', { brand, identity: me });
      expect([res.http, res.status]).toEqual([422, 1]);
    });

    it('stores the bank number encrypted after the OTP and answers it masked', async () => {
      const phone = '+821077770000';
      const me = await registerAndLogin(app, brand, 'bank_user', 'secret-pass-1', { phone });
      const seen = h.sms.count(phone);
      const sent = await app.call('POST', '/internal/players/edit/bank/send-sms', { brand, identity: me });
      expect(sent.status).toBe(0);
      const code = await h.sms.waitForCode(phone, seen);
      const body = { bank_name: 'Suite Bank', bank_num: '123-456-789012', holder_name: 'Kim', sms_code: code };
      const res = await app.call('POST', '/internal/players/edit/bank', { brand, identity: me, body });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(res.data).toEqual({ bank_name: 'Suite Bank', bank_num: '********9012', holder_name: 'Kim' });
      const stored = await row(me.playerId);
      expect(stored.bank_num).toMatch(/^aesgcm:v1:/);
      expect(cipher.decrypt(stored.bank_num)).toBe('123456789012');
      const info = await app.call('GET', '/internal/players/info', { brand, identity: me });
      expect(info.data).toMatchObject({ bank_name: 'Suite Bank', bank_num: '********9012', holder_name: 'Kim' });
      // The code was single use.
      const again = await app.call('POST', '/internal/players/edit/bank', { brand, identity: me, body: { ...body, bank_num: '999999999' } });
      expect(again.status).toBe(1);
    });

    it('gives up a code after RECOVERY_MAX_ATTEMPTS wrong tries', async () => {
      const phone = '+821088880000';
      const me = await registerAndLogin(app, brand, 'bank_guess', 'secret-pass-1', { phone });
      const seen = h.sms.count(phone);
      await app.call('POST', '/internal/players/edit/bank/send-sms', { brand, identity: me });
      const code = await h.sms.waitForCode(phone, seen);
      const body = { bank_name: 'B', bank_num: '1234567', holder_name: 'H' };
      for (let i = 0; i < 5; i += 1) {
        const wrong = String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
        expect((await app.call('POST', '/internal/players/edit/bank', { brand, identity: me, body: { ...body, sms_code: wrong } })).status).toBe(1);
      }
      const right = await app.call('POST', '/internal/players/edit/bank', { brand, identity: me, body: { ...body, sms_code: code } });
      expect(right.status).toBe(1);
      expect((await row(me.playerId)).bank_num).toBeNull();
    });
  });
});
