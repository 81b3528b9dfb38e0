import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for session ids. A jti is a fixed-length random id
 * whose length is no secret, so unequal lengths answer false at once; equal
 * lengths are compared with timingSafeEqual (no HMAC round per request).
 */
export function sameId(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
