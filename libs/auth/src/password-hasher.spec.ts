import { DEFAULT_SCRYPT_PARAMS, PasswordHasher } from './password-hasher';

const FORMAT = /^scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/;

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher({ pepper: 'pepper-from-PASSWORD_SALT' });

  it('produces the self-describing scrypt string with a 16-byte salt and 32-byte key', async () => {
    const encoded = await hasher.hash('correct horse');
    expect(encoded).toMatch(FORMAT);
    expect(encoded).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hasher.hash('correct horse');
    await expect(hasher.verify('correct horse', encoded)).resolves.toBe(true);
    await expect(hasher.verify('correct horsE', encoded)).resolves.toBe(false);
    await expect(hasher.verify('', encoded)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
    await expect(hasher.verify('same', a)).resolves.toBe(true);
    await expect(hasher.verify('same', b)).resolves.toBe(true);
  });

  it('mixes in the pepper: another pepper cannot verify', async () => {
    const encoded = await hasher.hash('correct horse');
    await expect(new PasswordHasher({ pepper: 'other' }).verify('correct horse', encoded)).resolves.toBe(
      false,
    );
  });

  it('handles unicode and very long passwords', async () => {
    const long = 'ä'.repeat(5000);
    const encoded = await hasher.hash(long);
    await expect(hasher.verify(long, encoded)).resolves.toBe(true);
    await expect(hasher.verify(long.slice(1), encoded)).resolves.toBe(false);
  });

  it('returns false for malformed stored values instead of throwing', async () => {
    const good = await hasher.hash('pw');
    const [, params, salt, key] = good.split('$');
    const malformed = [
      '',
      'plaintext-password',
      `bcrypt$${params}$${salt}$${key}`,
      `scrypt$${params}$${salt}`,
      `scrypt$N=16000,r=8,p=1$${salt}$${key}`, // N not a power of two
      `scrypt$N=1073741824,r=8,p=1$${salt}$${key}`, // absurd memory
      `scrypt$N=16384,r=8,p=1$***$${key}`,
      `scrypt$N=16384,r=8,p=1$${salt}$${key.slice(0, 8)}`,
      `scrypt$${params}$${salt}$${key}$extra`,
    ];
    for (const encoded of malformed) await expect(hasher.verify('pw', encoded)).resolves.toBe(false);
    await expect(hasher.verify('pw', undefined as unknown as string)).resolves.toBe(false);
    await expect(hasher.verify(undefined as unknown as string, good)).resolves.toBe(false);
  });

  it('verifies hashes made with other parameters and flags them for rehash', async () => {
    const cheap = new PasswordHasher({
      pepper: 'pepper-from-PASSWORD_SALT',
      params: { N: 1024, r: 8, p: 1 },
    });
    const old = await cheap.hash('pw');
    expect(old.startsWith('scrypt$N=1024,r=8,p=1$')).toBe(true);
    await expect(hasher.verify('pw', old)).resolves.toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    expect(hasher.needsRehash('garbage')).toBe(true);
  });

  it('refuses invalid parameters at construction', () => {
    expect(() => new PasswordHasher({ pepper: 'p', params: { N: 1000, r: 8, p: 1 } })).toThrow(RangeError);
    expect(() => new PasswordHasher({ pepper: 'p', params: { N: 1 << 20, r: 32, p: 1 } })).toThrow(
      RangeError,
    );
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 16384, r: 8, p: 1 });
  });

  it('costs tens of milliseconds per hash (memory-hard, not a fast hash)', async () => {
    const started = process.hrtime.bigint();
    await hasher.hash('timing');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(elapsedMs).toBeGreaterThan(5);
  });
});
