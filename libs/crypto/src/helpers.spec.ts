import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from './constant-time';
import { contactHash, contactHashShort, ipHash, normalizeContact } from './hashing';
import { hashCode, randomNumericCode, randomToken } from './random';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

describe('contact and IP hashes', () => {
  it('hashes the normalised phone: trimmed, without spaces or dashes', () => {
    expect(contactHash(' 010-1234 5678 ')).toBe(sha256('01012345678'));
    expect(contactHash('+82 10-1234-5678')).toBe(sha256('+821012345678'));
    expect(normalizeContact('(010) 1234.5678')).toBe('01012345678');
  });

  it('hashes the normalised email in lowercase', () => {
    expect(contactHash('  Alice@Example.COM ')).toBe(sha256('alice@example.com'));
    expect(contactHash('alice@example.com')).toBe(contactHash('ALICE@example.com'));
  });

  it('returns full lowercase hex and an 8-hex short form for logs', () => {
    const full = contactHash('01012345678');
    expect(full).toMatch(/^[0-9a-f]{64}$/);
    expect(contactHashShort('010-1234-5678')).toBe(full.slice(0, 8));
    expect(contactHashShort('01012345678')).toMatch(/^[0-9a-f]{8}$/);
  });

  it('hashes IPs, folding IPv4-mapped IPv6 onto IPv4', () => {
    expect(ipHash('203.0.113.9')).toBe(sha256('203.0.113.9'));
    expect(ipHash('::ffff:203.0.113.9')).toBe(ipHash('203.0.113.9'));
    expect(ipHash('2001:DB8::1')).toBe(sha256('2001:db8::1'));
    expect(ipHash('203.0.113.9')).not.toBe(ipHash('203.0.113.10'));
  });
});

describe('constantTimeEqual', () => {
  it('is true only for identical strings', () => {
    expect(constantTimeEqual('token-abc', 'token-abc')).toBe(true);
    expect(constantTimeEqual('token-abc', 'token-abd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('handles different lengths without throwing', () => {
    expect(constantTimeEqual('short', 'a much longer value')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    expect(constantTimeEqual('abc', 'abc\u0000')).toBe(false);
  });

  it('accepts buffers', () => {
    expect(constantTimeEqual(Buffer.from('abc'), 'abc')).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
  });
});

describe('random codes and tokens', () => {
  it('makes numeric codes of the requested length, leading zeros included', () => {
    for (let i = 0; i < 200; i += 1) expect(randomNumericCode()).toMatch(/^\d{6}$/);
    expect(randomNumericCode(4)).toMatch(/^\d{4}$/);
    expect(randomNumericCode(20)).toMatch(/^\d{20}$/);
  });

  it('spreads codes over all digits in every position', () => {
    const seen = Array.from({ length: 6 }, () => new Set<string>());
    for (let i = 0; i < 2000; i += 1) {
      const code = randomNumericCode();
      for (let p = 0; p < 6; p += 1) seen[p].add(code[p]);
    }
    for (const digits of seen) expect(digits.size).toBe(10);
  });

  it('rejects nonsensical code lengths', () => {
    expect(() => randomNumericCode(0)).toThrow(RangeError);
    expect(() => randomNumericCode(2.5)).toThrow(RangeError);
  });

  it('makes base64url tokens of the requested entropy', () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomToken()).not.toBe(token);
    expect(() => randomToken(8)).toThrow(RangeError);
  });

  it('hashes codes with HMAC-SHA256 under the pepper', () => {
    expect(hashCode('123456', 'pepper')).toBe(createHmac('sha256', 'pepper').update('123456').digest('hex'));
    expect(hashCode('123456', 'pepper')).not.toBe(hashCode('123456', 'other'));
    expect(hashCode('123456', 'pepper')).not.toBe(hashCode('123457', 'pepper'));
    expect(hashCode('123456', 'pepper')).not.toContain('123456');
  });
});
