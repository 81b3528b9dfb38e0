/**
 * No PII in logs (seed 000 Codex P1-#6 / T1-D-C4; conventions: never log
 * tokens, OTPs, passwords, raw phones, card numbers). How the logs are
 * captured: the BUILT app (`dist/apps/player/main.js`, run `npx nest build
 * player` first) is spawned as a real process at LOG_LEVEL=debug and its
 * whole stdout/stderr (pino JSON lines) is collected, so every line any
 * module writes is scanned, not only what a test logger sees. Every flow that
 * touches a secret runs against it, then the capture is searched for each
 * secret value.
 */
import { contactHashShort } from '@app/crypto';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { jwtEnv, makeKeyPair } from '../support/keys';
import { runToExit, startApp, type RunningApp } from '../support/processes';
import { flushSuiteRedis, suiteRedisUrl } from '../support/redis';
import {
  AES_IV,
  AES_KEY,
  call,
  claimsOf,
  GATEWAY_TOKEN,
  PASSWORD_SALT,
  type SmsDouble,
  startSmsDouble,
} from './harness';

jest.setTimeout(60_000);

describe('player_service logs carry no PII', () => {
  let db: SuiteDatabase;
  let sms: SmsDouble;
  const keys = makeKeyPair();
  const brand = 1;

  beforeAll(async () => {
    db = await createSuiteDatabase('player-logs');
    await flushSuiteRedis(suiteRedisUrl());
    sms = await startSmsDouble();
  });
  afterAll(async () => {
    await sms.close();
    await db.drop();
  });

  const env = (extra: Record<string, string> = {}) => ({
    MULTI_BRAND_ENFORCEMENT: 'observe',
    LOG_LEVEL: 'debug',
    DATABASE_URL: db.appUrl,
    REDIS_URL: suiteRedisUrl(),
    INTERNAL_SERVICE_TOKEN_GATEWAY: GATEWAY_TOKEN,
    PASSWORD_SALT,
    AES_KEY,
    AES_IV,
    SMS_URL: sms.url,
    ...jwtEnv(keys),
    ...extra,
  });

  async function exercise(app: RunningApp, tag: string) {
    const phone = `+82105555${tag}01`;
    const newPhone = `+82105555${tag}02`;
    const unprovisioned = `+82105555${tag}03`;
    const password = `Pw-${tag}-secret`;
    const newPassword = `Pw-${tag}-renewed`;
    const bankNum = `99887766${tag}55`;
    const secrets: string[] = [
      phone,
      phone.slice(1),
      newPhone,
      newPhone.slice(1),
      unprovisioned.slice(1),
      password,
      newPassword,
      bankNum,
      GATEWAY_TOKEN,
      AES_KEY,
    ];
    const c = (method: string, path: string, options: Parameters<typeof call>[3] = {}) =>
      call(app.url, method, path, { brand, ...options });

    expect(
      (await c('POST', '/internal/players/register', { body: { account: `log_${tag}`, password, phone } }))
        .status,
    ).toBe(0);
    expect(
      (
        await c('POST', '/internal/players/login', {
          body: { account: `log_${tag}`, password: 'wrong-password-x' },
        })
      ).status,
    ).toBe(1);
    const loggedIn = await c('POST', '/internal/players/login', {
      body: { account: `log_${tag}`, password },
    });
    const claims = claimsOf(loggedIn.data.token);
    const identity = { playerId: Number(claims.sub), account: claims.account, jti: claims.jti };
    secrets.push(loggedIn.data.token, claims.jti);

    let seen = sms.count(phone);
    expect((await c('POST', '/internal/players/register/sendSMS', { body: { phone } })).status).toBe(0);
    secrets.push(await sms.waitForCode(phone, seen));

    seen = sms.count(newPhone);
    await c('POST', '/internal/players/edit/phone/send-sms', { identity, body: { phone: newPhone } });
    const phoneCode = await sms.waitForCode(newPhone, seen);
    secrets.push(phoneCode);
    expect(
      (
        await c('POST', '/internal/players/edit/phone', {
          identity,
          body: { phone: newPhone, sms_code: phoneCode },
        })
      ).status,
    ).toBe(0);

    seen = sms.count(newPhone);
    await c('POST', '/internal/players/edit/bank/send-sms', { identity });
    const bankCode = await sms.waitForCode(newPhone, seen);
    secrets.push(bankCode);
    expect(
      (
        await c('POST', '/internal/players/edit/bank', {
          identity,
          body: { bank_name: 'B', bank_num: bankNum, holder_name: 'H', sms_code: bankCode },
        })
      ).status,
    ).toBe(0);

    seen = sms.count(newPhone);
    await c('POST', '/internal/players/recovery/request', { body: { contact: newPhone } });
    const recoveryCode = await sms.waitForCode(newPhone, seen);
    secrets.push(recoveryCode);
    const verified = await c('POST', '/internal/players/recovery/verify', {
      body: { contact: newPhone, code: recoveryCode },
    });
    secrets.push(verified.data.reset_token);
    expect(
      (
        await c('POST', '/internal/players/recovery/reset', {
          body: { reset_token: verified.data.reset_token, new_password: newPassword },
        })
      ).status,
    ).toBe(0);

    // Failing and unprovisioned delivery branches.
    sms.status = 500;
    await c('POST', '/internal/players/register/sendSMS', { body: { phone: unprovisioned } });
    sms.status = 200;
    await c('POST', '/internal/players/recovery/request', { body: { contact: 'someone@example.com' } });
    await c('POST', '/internal/players/recovery/request', { body: { contact: unprovisioned } });
    await new Promise((r) => setTimeout(r, 300));
    return { secrets: secrets.filter((s) => s.length >= 6), phone: newPhone };
  }

  it('never writes a phone, code, password, token, bank number or key; contacts appear as contact_hash only', async () => {
    const app = await startApp('player', env());
    let captured: { secrets: string[]; phone: string };
    try {
      captured = await exercise(app, '11');
    } finally {
      await app.stop();
    }
    const output = app.output();
    expect(output.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(20);
    for (const secret of captured.secrets) {
      expect({ secret, found: output.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(output).not.toMatch(/tel=|code=\d/);
    expect(output).toContain(`"contact_hash":"${contactHashShort(captured.phone)}"`);
  });

  it('names a rate-limited contact by the same contact_hash as its other lines', async () => {
    const app = await startApp('player', env({ RECOVERY_RATE_LIMIT_PER_CONTACT: '1' }));
    const phone = '+821055551299';
    try {
      const send = () =>
        call(app.url, 'POST', '/internal/players/register/sendSMS', { brand, body: { phone } });
      expect((await send()).status).toBe(0);
      expect((await send()).status).toBe(6);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await app.stop();
    }
    const limited = app
      .output()
      .split('\n')
      .filter((l) => l.includes('otp send rate limited'));
    expect(limited).toHaveLength(1);
    expect(JSON.parse(limited[0]).contact_hash).toBe(contactHashShort(phone));
  });

  it("writes a request's lines with its X-Request-ID and brand, and boot lines without a request id", async () => {
    const app = await startApp('player', env());
    const requestId = 'logs-request-id-1';
    try {
      const res = await call(app.url, 'POST', '/internal/players/register', {
        brand,
        headers: { 'x-request-id': requestId },
        body: { account: 'log_rid', password: 'secret-pass-1' },
      });
      expect(res.status).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await app.stop();
    }
    const lines = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const registered = lines.filter((l) => l.msg === 'player registered');
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({
      service: 'player_service',
      request_id: requestId,
      brand_id: brand,
    });
    const started = lines.find((l) => l.msg === 'Nest application successfully started');
    expect(started).toMatchObject({ brand_id: null });
    expect(started).not.toHaveProperty('request_id');
  });

  it('writes the raw tel=… code=… line only with RECOVERY_EXPOSE_TOKEN_FOR_TESTS=on', async () => {
    const app = await startApp('player', env({ RECOVERY_EXPOSE_TOKEN_FOR_TESTS: 'on' }));
    const phone = '+821055552201';
    try {
      expect(
        (
          await call(app.url, 'POST', '/internal/players/register', {
            brand,
            body: { account: 'exposed', password: 'secret-pass-1', phone },
          })
        ).status,
      ).toBe(0);
      const seen = sms.count(phone);
      await call(app.url, 'POST', '/internal/players/recovery/request', { brand, body: { contact: phone } });
      const code = await sms.waitForCode(phone, seen);
      await new Promise((r) => setTimeout(r, 200));
      expect(app.output()).toContain(`tel=${phone} code=${code}`);
    } finally {
      await app.stop();
    }
  });

  it('refuses to start with RECOVERY_EXPOSE_TOKEN_FOR_TESTS=on when APP_ENV is production', async () => {
    const result = await runToExit('player', {
      ...env({ RECOVERY_EXPOSE_TOKEN_FOR_TESTS: 'on', APP_ENV: 'production', PORT: '0' }),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('RECOVERY_EXPOSE_TOKEN_FOR_TESTS');
  });
});
