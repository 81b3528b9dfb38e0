// Unit tests: audit blobs refuse keys naming secrets or raw contacts (seeds 000, 001, 004).
import { assertNoSensitiveKeys, ForbiddenAuditKeyError, isForbiddenAuditKey } from './sensitive';

describe('audit blob key policy', () => {
  it.each([
    'password',
    'token',
    'code',
    'otp',
    'phone',
    'contact',
    'card_number',
    'bank_num',
    'Password',
    'newPassword',
    'new_password',
    'reset_token',
    'resetToken',
    'old_phone',
    'sms_code',
    'cardNumber',
  ])('refuses %s', (key) => {
    expect(isForbiddenAuditKey(key)).toBe(true);
  });

  it.each([
    'contact_hash',
    'phone_hash',
    'ip_hash',
    'changed',
    'status_code',
    'bank_id',
    'amount',
    'reason',
    'token_jti',
  ])('allows %s', (key) => {
    expect(isForbiddenAuditKey(key)).toBe(false);
  });

  it('finds a forbidden key at any depth and names its path', () => {
    expect(() => assertNoSensitiveKeys({ a: { b: [{ ok: 1 }, { otp: '123456' }] } })).toThrow(
      ForbiddenAuditKeyError,
    );
    try {
      assertNoSensitiveKeys({ a: { b: [{ ok: 1 }, { otp: '123456' }] } });
    } catch (err) {
      expect((err as ForbiddenAuditKeyError).path).toBe('$.a.b[1].otp');
      expect((err as Error).message).not.toContain('123456');
    }
  });

  it('accepts clean blobs, scalars and null', () => {
    expect(() =>
      assertNoSensitiveKeys({ changed: true, contact_hash: 'ab12cd34', nested: { n: [1, 2] } }),
    ).not.toThrow();
    expect(() => assertNoSensitiveKeys(null)).not.toThrow();
    expect(() => assertNoSensitiveKeys('x')).not.toThrow();
  });
});
