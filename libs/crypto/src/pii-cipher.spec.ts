import { createCipheriv } from 'node:crypto';
import { register } from 'prom-client';
import { GCM_PREFIX, mask, PiiCipher, PiiDecryptError, PiiKeysMisconfiguredError } from './pii-cipher';

const KEY = '0123456789abcdef0123456789abcdef'; // 32 bytes
const IV = 'fedcba9876543210'; // 16 bytes
const OTHER_KEY = 'ffffffffffffffffffffffffffffffff';

function legacyCbc(plain: string, key = KEY, iv = IV): string {
  const cipher = createCipheriv('aes-256-cbc', Buffer.from(key, 'utf8'), Buffer.from(iv, 'utf8'));
  return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

function cipher(overrides: Partial<ConstructorParameters<typeof PiiCipher>[0]> = {}): PiiCipher {
  return new PiiCipher({
    aesKey: KEY,
    aesIv: IV,
    strictDecrypt: false,
    production: false,
    service: 'test_service',
    ...overrides,
  });
}

async function unconfiguredCount(service: string, op: string): Promise<number> {
  const metric = await register.getSingleMetric('pii_aes_unconfigured_total')?.get();
  return metric?.values.find((v) => v.labels.service === service && v.labels.op === op)?.value ?? 0;
}

describe('PiiCipher (AES-256-GCM writes, legacy CBC reads)', () => {
  it('round-trips a phone number and writes the versioned GCM layout', () => {
    const c = cipher();
    const stored = c.encrypt('01012345678');
    expect(stored.startsWith(GCM_PREFIX)).toBe(true);
    const raw = Buffer.from(stored.slice(GCM_PREFIX.length), 'base64');
    // 12-byte nonce + 11 bytes of ciphertext + 16-byte tag
    expect(raw.length).toBe(12 + 11 + 16);
    expect(stored).not.toContain('01012345678');
    expect(c.decrypt(stored)).toBe('01012345678');
  });

  it('uses a fresh random nonce for every write', () => {
    const c = cipher();
    const a = c.encrypt('same value');
    const b = c.encrypt('same value');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(GCM_PREFIX.length), 'base64').subarray(0, 12)).not.toEqual(
      Buffer.from(b.slice(GCM_PREFIX.length), 'base64').subarray(0, 12),
    );
  });

  it('round-trips non-ASCII text', () => {
    const c = cipher();
    expect(c.decrypt(c.encrypt('홍길동 üñí 😀'))).toBe('홍길동 üñí 😀');
  });

  it('maps null and undefined to null and keeps the empty string', () => {
    const c = cipher();
    expect(c.encrypt(null)).toBeNull();
    expect(c.encrypt(undefined)).toBeNull();
    expect(c.decrypt(null)).toBeNull();
    expect(c.encrypt('')).toBe('');
    expect(c.decrypt('')).toBe('');
  });

  it('throws PiiDecryptError on a tampered GCM ciphertext, strict or not, in and out of production', () => {
    const stored = cipher().encrypt('01012345678');
    const raw = Buffer.from(stored.slice(GCM_PREFIX.length), 'base64');
    raw[14] ^= 0x01;
    const tampered = GCM_PREFIX + raw.toString('base64');
    for (const production of [true, false]) {
      for (const strictDecrypt of [true, false]) {
        expect(() => cipher({ production, strictDecrypt }).decrypt(tampered)).toThrow(PiiDecryptError);
      }
    }
  });

  it('throws on a tampered GCM tag and on a GCM value written under another key', () => {
    const stored = cipher().encrypt('secret');
    const raw = Buffer.from(stored.slice(GCM_PREFIX.length), 'base64');
    raw[raw.length - 1] ^= 0x80;
    expect(() => cipher().decrypt(GCM_PREFIX + raw.toString('base64'))).toThrow(PiiDecryptError);
    expect(() => cipher({ aesKey: OTHER_KEY }).decrypt(stored)).toThrow(PiiDecryptError);
  });

  it('throws on a malformed GCM value (too short, not base64)', () => {
    const c = cipher();
    expect(() => c.decrypt(`${GCM_PREFIX}AAAA`)).toThrow(PiiDecryptError);
    expect(() => c.decrypt(`${GCM_PREFIX}not base64!!`)).toThrow(PiiDecryptError);
  });

  it('reads a legacy AES-256-CBC row written with the static IV', () => {
    expect(cipher().decrypt(legacyCbc('01099998888'))).toBe('01099998888');
    expect(cipher({ strictDecrypt: true }).decrypt(legacyCbc('110-2233-4455'))).toBe('110-2233-4455');
  });

  it('returns ambiguous legacy values as plaintext when strict decrypt is off', () => {
    const c = cipher({ strictDecrypt: false });
    expect(c.decrypt('01012345678')).toBe('01012345678');
    // base64-shaped, block-sized, but written under another key: not decryptable
    const foreign = legacyCbc('01012345678', OTHER_KEY);
    expect(c.decrypt(foreign)).toBe(foreign);
  });

  it('throws on ambiguous legacy values when strict decrypt is on', () => {
    const c = cipher({ strictDecrypt: true });
    expect(() => c.decrypt('01012345678')).toThrow(PiiDecryptError);
    expect(() => c.decrypt(legacyCbc('01012345678', OTHER_KEY))).toThrow(PiiDecryptError);
    expect(() => c.decrypt('QUJDRA==')).toThrow(PiiDecryptError);
  });

  it('never puts the value into a PiiDecryptError message', () => {
    const c = cipher({ strictDecrypt: true });
    try {
      c.decrypt('01055556666');
      throw new Error('expected a throw');
    } catch (err) {
      expect(err).toBeInstanceOf(PiiDecryptError);
      expect((err as Error).message).not.toContain('01055556666');
    }
  });

  it('refuses to construct in production without keys', () => {
    expect(() => cipher({ production: true, aesKey: undefined })).toThrow(PiiKeysMisconfiguredError);
    expect(() => cipher({ production: true, aesIv: '  ' })).toThrow(PiiKeysMisconfiguredError);
  });

  it('refuses keys of the wrong byte length everywhere', () => {
    expect(() => cipher({ aesKey: 'short' })).toThrow(/32 bytes/);
    expect(() => cipher({ aesIv: 'short' })).toThrow(/16 bytes/);
    // 31 ASCII chars + one 2-byte char = 33 bytes: lengths are counted in UTF-8 bytes
    expect(() => cipher({ aesKey: `${'a'.repeat(31)}é` })).toThrow(/32 bytes/);
  });

  it('passes plaintext through outside production without keys, counting and warning once per op', async () => {
    const warn = jest.fn();
    const service = 'pii_unconfigured_test';
    const c = new PiiCipher({ strictDecrypt: true, production: false, service, logger: { warn } });
    expect(c.configured).toBe(false);
    const beforeEncrypt = await unconfiguredCount(service, 'encrypt');
    const beforeDecrypt = await unconfiguredCount(service, 'decrypt');

    expect(c.encrypt('01012345678')).toBe('01012345678');
    expect(c.encrypt('01087654321')).toBe('01087654321');
    expect(c.decrypt('01012345678')).toBe('01012345678');

    expect(await unconfiguredCount(service, 'encrypt')).toBe(beforeEncrypt + 2);
    expect(await unconfiguredCount(service, 'decrypt')).toBe(beforeDecrypt + 1);
    expect(warn).toHaveBeenCalledTimes(2);
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).not.toContain('01012345678');
    expect(logged).not.toContain('01087654321');
    expect(warn.mock.calls.map((call) => call[0].op).sort()).toEqual(['decrypt', 'encrypt']);
  });

  it('refuses to hand back a GCM ciphertext as plaintext when keys are unconfigured', () => {
    const stored = cipher().encrypt('01012345678');
    const c = new PiiCipher({ strictDecrypt: false, production: false, service: 'test_service' });
    expect(() => c.decrypt(stored)).toThrow(PiiDecryptError);
  });
});

describe('mask', () => {
  it('keeps the last four characters by default', () => {
    expect(mask('01012345678')).toBe('*******5678');
    expect(cipher().mask('01012345678')).toBe('*******5678');
  });

  it('honours keepEnd and fully masks short values', () => {
    expect(mask('1234567890', 2)).toBe('********90');
    expect(mask('1234')).toBe('****');
    expect(mask('12')).toBe('**');
    expect(mask('abcdef', 0)).toBe('******');
    expect(mask(null)).toBeNull();
  });
});
