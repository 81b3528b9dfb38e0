import { generateKeyPairSync } from 'node:crypto';
import { APPS, runToExit } from '../support/processes';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { suiteRedisUrl } from '../support/redis';

/**
 * Every boot guard, against the built apps: the process must exit non-zero
 * before serving anything, with one stderr line naming the variable.
 */
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const PII_APPS = ['player', 'player-worker', 'agent', 'agent-worker', 'admin', 'admin-worker'] as const;
const VERIFIERS = ['gateway', 'player', 'agent', 'admin'] as const;
const ISSUERS = ['player', 'agent', 'admin'] as const;

/** A production configuration every app accepts; each case breaks one variable. */
const PRODUCTION_OK = {
  MULTI_BRAND_ENFORCEMENT: 'enforce',
  APP_ENV: 'production',
  AES_KEY: 'a'.repeat(32),
  AES_IV: 'b'.repeat(16),
  PASSWORD_SALT: 'pepper',
  JWT_PRIVATE_KEY: PRIVATE,
  JWT_KID: 'kid-1',
  JWT_PUBLIC_KEYS: JSON.stringify({ 'kid-1': PUBLIC }),
  INTERNAL_SERVICE_TOKEN_GATEWAY: 'gateway-token',
  BRAND_SIGNING_KEY: 'signing-key',
  // Unreachable on purpose: a guard that did not fire would show up as a hang, then a kill.
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  REDIS_URL: 'redis://127.0.0.1:1',
};

async function expectRefusal(
  app: string,
  env: Record<string, string | undefined>,
  variable: string,
): Promise<void> {
  const result = await runToExit(app, env);
  expect(result.signal).toBeNull();
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(`refusing to start: ${variable}`);
}

describe('boot guards of the built apps', () => {
  jest.setTimeout(120_000);

  describe.each(APPS)('%s', (app) => {
    it('refuses to start without MULTI_BRAND_ENFORCEMENT', async () => {
      await expectRefusal(
        app,
        { ...PRODUCTION_OK, MULTI_BRAND_ENFORCEMENT: undefined },
        'MULTI_BRAND_ENFORCEMENT',
      );
    });

    it('refuses an unknown MULTI_BRAND_ENFORCEMENT value', async () => {
      await expectRefusal(
        app,
        { ...PRODUCTION_OK, MULTI_BRAND_ENFORCEMENT: 'strict' },
        'MULTI_BRAND_ENFORCEMENT',
      );
    });

    it.each(['RGB_ENV', 'APP_ENV', 'ENVIRONMENT'])(
      'refuses RECOVERY_EXPOSE_TOKEN_FOR_TESTS=on when %s=production',
      async (marker) => {
        await expectRefusal(
          app,
          {
            ...PRODUCTION_OK,
            APP_ENV: undefined,
            [marker]: 'production',
            RECOVERY_EXPOSE_TOKEN_FOR_TESTS: 'on',
          },
          'RECOVERY_EXPOSE_TOKEN_FOR_TESTS',
        );
      },
    );

    // The config schema takes these as on, so the guard must too.
    it.each(['true', '1', 'YES', ' On '])(
      'refuses RECOVERY_EXPOSE_TOKEN_FOR_TESTS=%j in production',
      async (value) => {
        await expectRefusal(
          app,
          { ...PRODUCTION_OK, RECOVERY_EXPOSE_TOKEN_FOR_TESTS: value },
          'RECOVERY_EXPOSE_TOKEN_FOR_TESTS',
        );
      },
    );
  });

  describe.each(PII_APPS)('%s (PII keys)', (app) => {
    it.each([
      ['AES_KEY', ''],
      ['AES_KEY', 'too-short'],
      ['AES_IV', '   '],
      ['AES_IV', 'x'.repeat(15)],
      ['PASSWORD_SALT', ' '],
    ])('refuses %s=%j in production', async (variable, value) => {
      await expectRefusal(app, { ...PRODUCTION_OK, [variable]: value }, variable);
    });
  });

  describe.each(VERIFIERS)('%s (JWT verifier)', (app) => {
    it('refuses empty JWT_PUBLIC_KEYS in production', async () => {
      await expectRefusal(app, { ...PRODUCTION_OK, JWT_PUBLIC_KEYS: '' }, 'JWT_PUBLIC_KEYS');
    });
  });

  // seeds 003 and 000: the gateway's downstream token and wallet-write signing key, and the token the
  // player service takes from the gateway. Without them the gateway would boot and answer 500.
  it.each([
    ['gateway', 'INTERNAL_SERVICE_TOKEN_GATEWAY'],
    ['gateway', 'BRAND_SIGNING_KEY'],
    ['player', 'INTERNAL_SERVICE_TOKEN_GATEWAY'],
  ])('%s refuses to start without %s in production', async (app, variable) => {
    await expectRefusal(app, { ...PRODUCTION_OK, [variable]: ' ' }, variable);
  });

  describe.each(ISSUERS)('%s (JWT issuer)', (app) => {
    it.each(['JWT_PRIVATE_KEY', 'JWT_KID'])('refuses empty %s in production', async (variable) => {
      await expectRefusal(app, { ...PRODUCTION_OK, [variable]: '' }, variable);
    });
  });

  describe('database role (issue #8: row-level security must apply)', () => {
    let db: SuiteDatabase;
    beforeAll(async () => {
      db = await createSuiteDatabase('boot_role');
    });
    afterAll(async () => {
      await db.drop();
    });
    const DB_APPS = APPS.filter((app) => app !== 'gateway');

    it.each(DB_APPS.flatMap((app) => [[app, 'the superuser'] as const, [app, 'the table owner'] as const]))(
      '%s refuses to start as %s',
      async (app, who) => {
        const result = await runToExit(app, {
          MULTI_BRAND_ENFORCEMENT: 'observe',
          DATABASE_URL: who === 'the superuser' ? db.url : db.ownerUrl,
          REDIS_URL: suiteRedisUrl(),
          PORT: '0',
        });
        expect(result.signal).toBeNull();
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(
          who === 'the superuser'
            ? /refusing to start: DATABASE_URL: refusing to serve as database role "postgres": it is a superuser/
            : /refusing to start: DATABASE_URL: refusing to serve as database role "servers_v2_test_owner": it has BYPASSRLS; it owns \d+ table/,
        );
      },
    );
  });
});
