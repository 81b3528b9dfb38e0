import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string comparison for tokens, signatures and codes (ADR-009
 * per-caller tokens, CONTRACTS §3 "constant-time compare").
 *
 * `crypto.timingSafeEqual` throws on different lengths, and returning early
 * on a length difference leaks it. Both inputs are first reduced to an
 * HMAC-SHA256 digest under a per-process random key, so the comparison always
 * runs over 32 bytes whatever the input lengths; the key being secret and
 * random means an attacker cannot steer digests to collide.
 */
const COMPARE_KEY = randomBytes(32);

function digest(value: string | Buffer): Buffer {
  return createHmac('sha256', COMPARE_KEY).update(value).digest();
}

export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
