import { createHmac } from 'node:crypto';
import { brandSignaturePayload, signBrand, verifyBrandSignature } from './brand-signature';

const KEY = 'brand-signing-key-for-tests';
const NOW = 1_767_000_000;
const base = { key: KEY, caller: 'gateway', brandId: 7, requestId: 'req-abc.123' };

function signed(overrides: Partial<Parameters<typeof signBrand>[0]> = {}) {
  return signBrand({ ...base, timestamp: NOW, ...overrides });
}

describe('signBrand', () => {
  it('is lowercase hex HMAC_SHA256(key, "caller|brand_id|request_id|timestamp")', () => {
    const { timestamp, signature } = signed();
    expect(timestamp).toBe(String(NOW));
    expect(brandSignaturePayload('gateway', 7, 'req-abc.123', timestamp)).toBe(
      `gateway|7|req-abc.123|${NOW}`,
    );
    expect(signature).toBe(createHmac('sha256', KEY).update(`gateway|7|req-abc.123|${NOW}`).digest('hex'));
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('defaults the timestamp to the current unix second', () => {
    const before = Math.floor(Date.now() / 1000);
    const { timestamp } = signBrand(base);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(before + 2);
  });

  it('refuses to sign without a key', () => {
    expect(() => signBrand({ ...base, key: '' })).toThrow(/BRAND_SIGNING_KEY/);
    expect(() => signBrand({ ...base, timestamp: 1.5 })).toThrow(RangeError);
  });
});

describe('verifyBrandSignature', () => {
  const verify = (overrides: Partial<Parameters<typeof verifyBrandSignature>[0]> = {}) => {
    const { timestamp, signature } = signed();
    return verifyBrandSignature({ ...base, timestamp, signature, now: NOW, ...overrides });
  };

  it('accepts a good signature, with the brand id as number or header string', () => {
    expect(verify()).toBe(true);
    expect(verify({ brandId: '7' })).toBe(true);
    expect(verify({ timestamp: NOW })).toBe(true);
    expect(verify({ signature: signed().signature.toUpperCase() })).toBe(true);
  });

  it('accepts skew up to ±300 s', () => {
    expect(verify({ now: NOW + 300 })).toBe(true);
    expect(verify({ now: NOW - 300 })).toBe(true);
  });

  it('rejects the wrong key', () => {
    expect(verify({ key: 'another-key' })).toBe(false);
    expect(verify({ key: '' })).toBe(false);
    expect(verify({ key: undefined })).toBe(false);
  });

  it('rejects another brand, caller or request id', () => {
    expect(verify({ brandId: 8 })).toBe(false);
    expect(verify({ brandId: '07' })).toBe(false);
    expect(verify({ caller: 'admin' })).toBe(false);
    expect(verify({ requestId: 'req-other' })).toBe(false);
  });

  it('rejects skew beyond 300 s either way', () => {
    expect(verify({ now: NOW + 301 })).toBe(false);
    expect(verify({ now: NOW - 301 })).toBe(false);
  });

  it('rejects a replay once the window has passed', () => {
    const captured = signed();
    const replay = { ...base, ...captured };
    expect(verifyBrandSignature({ ...replay, now: NOW + 10 })).toBe(true);
    expect(verifyBrandSignature({ ...replay, now: NOW + 3600 })).toBe(false);
  });

  it('rejects a timestamp changed without re-signing', () => {
    expect(verify({ timestamp: String(NOW + 1) })).toBe(false);
  });

  it('honours a narrower skew window', () => {
    expect(verify({ now: NOW + 31, skewSeconds: 30 })).toBe(false);
    expect(verify({ now: NOW + 30, skewSeconds: 30 })).toBe(true);
  });

  it('rejects malformed timestamps', () => {
    for (const timestamp of [
      '',
      'abc',
      '1.5e9',
      `${NOW}.0`,
      ' 1767000000',
      '-1767000000',
      '0x69',
      undefined,
      1.5,
    ]) {
      expect(verify({ timestamp })).toBe(false);
    }
  });

  it('rejects malformed signatures', () => {
    const good = signed().signature;
    for (const signature of ['', 'zz'.repeat(32), good.slice(0, 63), `${good}0`, ` ${good}`, undefined]) {
      expect(verify({ signature })).toBe(false);
    }
  });

  it('rejects missing caller, brand or request id', () => {
    expect(verify({ caller: '' })).toBe(false);
    expect(verify({ brandId: undefined })).toBe(false);
    expect(verify({ requestId: undefined })).toBe(false);
  });
});
