// Unit tests for contact parsing and the keyed lookup digest (CONTRACTS §1 phone shape; seed 000 hashed contacts).
import { createHmac } from 'node:crypto';
import { InvalidInputError } from '@app/http';
import { contactLookupHash, parseContact, parsePhone } from './contact';

describe('parseContact', () => {
  it.each([
    ['+82 10-1234-5678', { kind: 'phone', value: '+821012345678' }],
    ['01012345678', { kind: 'phone', value: '01012345678' }],
    ['(010) 1234.5678', { kind: 'phone', value: '01012345678' }],
    [' Alice@Example.COM ', { kind: 'email', value: 'alice@example.com' }],
  ])('normalizes %p', (raw, expected) => {
    expect(parseContact(raw)).toEqual(expected);
  });

  it.each(['1234567', '+1234567890123456', '12ab5678', 'no-at-sign', 'a@b', '', 42, null])('refuses %p with status 2, naming the field only', (raw) => {
    let error: unknown;
    try {
      parseContact(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).data).toEqual({ fields: { contact: ['isContact'] } });
    if (typeof raw === 'string' && raw !== '') expect((error as Error).message).not.toContain(raw);
  });

  it('parsePhone refuses an email', () => {
    expect(() => parsePhone('a@example.com')).toThrow(InvalidInputError);
    expect(parsePhone('+82 10 1234 5678')).toBe('+821012345678');
  });
});

describe('contactLookupHash', () => {
  it('is HMAC-SHA256(pepper, "contact:" + normalized contact), so two spellings match and the pepper matters', () => {
    const expected = createHmac('sha256', 'pepper').update('contact:+821012345678').digest('hex');
    expect(contactLookupHash('+82 10-1234-5678', 'pepper')).toBe(expected);
    expect(contactLookupHash('+821012345678', 'pepper')).toBe(expected);
    expect(contactLookupHash('+821012345678', 'other')).not.toBe(expected);
  });
});
