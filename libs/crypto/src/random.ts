import { createHmac, randomBytes, randomInt } from 'node:crypto';

/**
 * CSPRNG helpers for OTPs, recovery codes and opaque tokens (seed 000
 * recovery flow; conventions: "CSPRNG for every code, no Math.random"), and
 * the keyed hash under which OTPs are stored in Redis so a Redis dump does
 * not reveal live codes.
 */

/** A decimal code of exactly `digits` digits (leading zeros kept), each digit from `crypto.randomInt`. */
export function randomNumericCode(digits = 6): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 64) {
    throw new RangeError('digits must be an integer between 1 and 64');
  }
  let code = '';
  for (let i = 0; i < digits; i += 1) code += String(randomInt(0, 10));
  return code;
}

/** `bytes` random bytes, base64url without padding (32 bytes → 43 chars). */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new RangeError('bytes must be an integer between 16 and 1024');
  }
  return randomBytes(bytes).toString('base64url');
}

/** HMAC-SHA256(pepper, code) as lowercase hex: what is stored instead of an OTP. */
export function hashCode(code: string, pepper: string | Buffer): string {
  return createHmac('sha256', pepper).update(code, 'utf8').digest('hex');
}
