import { generateKeyPairSync } from 'node:crypto';
import { BootGuardError } from './errors';
import { isProductionEnv } from './env';
import { releaseGate, runBootGuards, parsePublicKeys } from './guards';
import { declaredVariables, loadConfig } from './load';
import { GatewayConfig } from './schema';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const AES_KEY = 'k'.repeat(32);
const AES_IV = 'i'.repeat(16);

function failure(fn: () => unknown): BootGuardError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BootGuardError) return err;
    throw err;
  }
  throw new Error('expected a BootGuardError');
}

const prodPlayer = {
  MULTI_BRAND_ENFORCEMENT: 'observe',
  APP_ENV: 'production',
  AES_KEY,
  AES_IV,
  PASSWORD_SALT: 'pepper',
  JWT_PRIVATE_KEY: PRIVATE,
  JWT_KID: 'k1',
  JWT_PUBLIC_KEYS: JSON.stringify({ k1: PUBLIC }),
  INTERNAL_SERVICE_TOKEN_GATEWAY: 'gateway-token',
};

describe('production detection', () => {
  it.each(['RGB_ENV', 'APP_ENV', 'ENVIRONMENT'])(
    'treats %s=prod/staging/production as production',
    (name) => {
      for (const value of ['prod', 'staging', 'production', ' Production ']) {
        expect(isProductionEnv({ [name]: value })).toBe(true);
      }
    },
  );

  it('treats dev, test and unset as non-production', () => {
    expect(isProductionEnv({ APP_ENV: 'dev', ENVIRONMENT: 'test' })).toBe(false);
    expect(isProductionEnv({})).toBe(false);
  });
});

describe('loadConfig', () => {
  it('refuses a missing MULTI_BRAND_ENFORCEMENT, naming it', () => {
    expect(failure(() => loadConfig('gateway', {})).variable).toBe('MULTI_BRAND_ENFORCEMENT');
    expect(failure(() => loadConfig('gateway', { MULTI_BRAND_ENFORCEMENT: '  ' })).variable).toBe(
      'MULTI_BRAND_ENFORCEMENT',
    );
  });

  it('refuses an unknown enforcement mode', () => {
    const err = failure(() => loadConfig('gateway', { MULTI_BRAND_ENFORCEMENT: 'strict' }));
    expect(err.message).toMatch(/^MULTI_BRAND_ENFORCEMENT: must be one of off, observe, enforce/);
  });

  it('applies per-app defaults and typed numbers', () => {
    const config = loadConfig('gateway', { MULTI_BRAND_ENFORCEMENT: 'ENFORCE', RATE_LIMIT_PER_MINUTE: '42' });
    expect(config.MULTI_BRAND_ENFORCEMENT).toBe('enforce');
    expect(config.PORT).toBe(3000);
    expect(config.RATE_LIMIT_PER_MINUTE).toBe(42);
    expect(loadConfig('admin', { MULTI_BRAND_ENFORCEMENT: 'off' }).PORT).toBe(3003);
    expect(loadConfig('player-worker', { MULTI_BRAND_ENFORCEMENT: 'off' }).ENABLE_OUTBOX_POLLER).toBe('on');
  });

  it('names the variable of an invalid value', () => {
    expect(
      failure(() => loadConfig('gateway', { MULTI_BRAND_ENFORCEMENT: 'off', PORT: 'eighty' })).variable,
    ).toBe('PORT');
    expect(
      failure(() =>
        loadConfig('gateway', { MULTI_BRAND_ENFORCEMENT: 'off', PLAYER_SERVICE_URL: 'not a url' }),
      ).variable,
    ).toBe('PLAYER_SERVICE_URL');
  });

  it('accepts a complete production player configuration', () => {
    expect(loadConfig('player', prodPlayer).JWT_KID).toBe('k1');
  });

  it('lists every declared variable of a schema', () => {
    expect(declaredVariables(GatewayConfig)).toEqual(
      expect.arrayContaining(['MULTI_BRAND_ENFORCEMENT', 'PLAYER_SERVICE_URL']),
    );
  });
});

describe('boot guards', () => {
  const pii = { pii: true, verifier: false, issuer: false };

  it.each(['AES_KEY', 'AES_IV', 'PASSWORD_SALT'])('refuses an empty or blank %s in production', (name) => {
    expect(failure(() => runBootGuards({ ...prodPlayer, [name]: '' }, pii)).variable).toBe(name);
    expect(failure(() => runBootGuards({ ...prodPlayer, [name]: '   ' }, pii)).variable).toBe(name);
  });

  it('enforces AES key and IV byte lengths', () => {
    expect(failure(() => runBootGuards({ ...prodPlayer, AES_KEY: 'short' }, pii)).message).toMatch(
      /AES_KEY: must be exactly 32 bytes/,
    );
    expect(failure(() => runBootGuards({ ...prodPlayer, AES_IV: 'x'.repeat(17) }, pii)).variable).toBe(
      'AES_IV',
    );
  });

  it('is a no-op for empty PII keys outside production', () => {
    expect(() => runBootGuards({ MULTI_BRAND_ENFORCEMENT: 'off' }, pii)).not.toThrow();
  });

  it('refuses empty JWT_PUBLIC_KEYS on a production verifier', () => {
    const verifier = { pii: false, verifier: true, issuer: false };
    expect(failure(() => runBootGuards({ APP_ENV: 'prod', JWT_PUBLIC_KEYS: '' }, verifier)).variable).toBe(
      'JWT_PUBLIC_KEYS',
    );
    expect(() =>
      runBootGuards({ APP_ENV: 'prod', JWT_PUBLIC_KEYS: JSON.stringify({ k1: PUBLIC }) }, verifier),
    ).not.toThrow();
  });

  it('lets the gateway take its production keys from JWT_PUBLIC_KEYS_FILE, and no other verifier', () => {
    const env = {
      APP_ENV: 'prod',
      MULTI_BRAND_ENFORCEMENT: 'enforce',
      JWT_PUBLIC_KEYS_FILE: '/keys.json',
      INTERNAL_SERVICE_TOKEN_GATEWAY: 'gateway-token',
      BRAND_SIGNING_KEY: 'signing-key',
    };
    expect(() => loadConfig('gateway', env)).not.toThrow();
    expect(failure(() => runBootGuards(env, { pii: false, verifier: true, issuer: false })).variable).toBe(
      'JWT_PUBLIC_KEYS',
    );
  });

  it('refuses malformed JWT_PUBLIC_KEYS everywhere', () => {
    expect(failure(() => parsePublicKeys('not json')).variable).toBe('JWT_PUBLIC_KEYS');
    expect(failure(() => parsePublicKeys(JSON.stringify({ k1: 'garbage' }))).variable).toBe(
      'JWT_PUBLIC_KEYS',
    );
    expect(parsePublicKeys(JSON.stringify({ k1: PUBLIC.replace(/\n/g, '\\n') })).get('k1')).toContain(
      'BEGIN PUBLIC KEY',
    );
  });

  it.each([
    ['gateway', 'INTERNAL_SERVICE_TOKEN_GATEWAY'],
    ['gateway', 'BRAND_SIGNING_KEY'],
    ['player', 'INTERNAL_SERVICE_TOKEN_GATEWAY'],
  ] as const)('refuses a production %s without %s, and not outside production', (service, name) => {
    const complete = {
      ...prodPlayer,
      MULTI_BRAND_ENFORCEMENT: 'enforce',
      INTERNAL_SERVICE_TOKEN_GATEWAY: 'gateway-token',
      BRAND_SIGNING_KEY: 'signing-key',
    };
    expect(() => loadConfig(service, complete)).not.toThrow();
    expect(failure(() => loadConfig(service, { ...complete, [name]: undefined })).variable).toBe(name);
    expect(failure(() => loadConfig(service, { ...complete, [name]: '  ' })).variable).toBe(name);
    expect(() => loadConfig(service, { ...complete, APP_ENV: 'dev', [name]: undefined })).not.toThrow();
  });

  it('refuses an issuer without JWT_PRIVATE_KEY or JWT_KID in production', () => {
    const issuer = { pii: false, verifier: false, issuer: true };
    expect(failure(() => runBootGuards({ APP_ENV: 'prod', JWT_KID: 'k1' }, issuer)).variable).toBe(
      'JWT_PRIVATE_KEY',
    );
    expect(failure(() => runBootGuards({ APP_ENV: 'prod', JWT_PRIVATE_KEY: PRIVATE }, issuer)).variable).toBe(
      'JWT_KID',
    );
  });

  it.each(['RGB_ENV', 'APP_ENV', 'ENVIRONMENT'])(
    'refuses RECOVERY_EXPOSE_TOKEN_FOR_TESTS=on when %s says production',
    (name) => {
      const err = failure(() =>
        runBootGuards(
          { RECOVERY_EXPOSE_TOKEN_FOR_TESTS: 'on', [name]: 'staging' },
          { pii: false, verifier: false, issuer: false },
        ),
      );
      expect(err.variable).toBe('RECOVERY_EXPOSE_TOKEN_FOR_TESTS');
      expect(err.message).toContain(name);
    },
  );
});

describe('release gate', () => {
  it('fails while the bare shared token is set or per-caller tokens are not required', () => {
    expect(releaseGate({ INTERNAL_SERVICE_TOKEN: 'x', PER_CALLER_TOKEN_REQUIRED: 'on' }).ok).toBe(false);
    expect(releaseGate({ PER_CALLER_TOKEN_REQUIRED: 'off' }).problems).toEqual([
      'PER_CALLER_TOKEN_REQUIRED: must be on',
    ]);
    expect(releaseGate({ PER_CALLER_TOKEN_REQUIRED: 'on' })).toEqual({ ok: true, problems: [] });
  });
});
