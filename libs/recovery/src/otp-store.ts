import type Redis from 'ioredis';
import { constantTimeEqual, hashCode, randomNumericCode } from '@app/crypto';

/**
 * One-time codes for recovery, registration SMS and the OTP-gated profile
 * edits (seed 000 "CSPRNG codes stored hashed, limited attempts"; seed 001
 * "All SMS OTPs ... are generated with CSPRNG"). A code lives in one Redis
 * hash `{h: HMAC(pepper, code), s: subject, n: attempts}` with a TTL:
 * - the plain code exists only in the caller's hands (to send it); a Redis
 *   dump shows keyed digests;
 * - every check increments `n` atomically (Lua) before comparing, and the
 *   code is deleted once `n` passes the limit, so guessing is bounded;
 * - a match deletes the key, and only the caller whose DEL removed it wins,
 *   so a code is single use even under concurrent checks;
 * - issuing again replaces the previous code and resets the attempt count.
 * Digests are compared in constant time.
 */

export interface OtpStoreOptions {
  /** Pepper of the code digest (PASSWORD_SALT plus a purpose label). */
  pepper: string;
  ttlSeconds: number;
  maxAttempts: number;
  digits?: number;
}

export type OtpCheck =
  | { ok: true; subject: string | null }
  | { ok: false; reason: 'missing' | 'mismatch' | 'attempts_exceeded' };

// KEYS[1] = code key; ARGV[1] = max attempts. Returns nil (no code), 'exceeded', or {digest, subject}.
const CHECK_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
if n > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 'exceeded'
end
return redis.call('HMGET', KEYS[1], 'h', 's')
`;

export class OtpStore {
  private readonly digits: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: OtpStoreOptions,
  ) {
    if (!(options.ttlSeconds > 0)) throw new RangeError('OTP ttlSeconds must be > 0');
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) throw new RangeError('OTP maxAttempts must be ≥ 1');
    this.digits = options.digits ?? 6;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /** Stores a fresh code for `key` (replacing any previous one) and returns it for delivery. */
  async issue(key: string, subject: string | null = null): Promise<string> {
    const code = randomNumericCode(this.digits);
    await this.redis
      .multi()
      .del(key)
      .hset(key, 'h', hashCode(code, this.options.pepper), 's', subject ?? '', 'n', '0')
      .expire(key, this.options.ttlSeconds)
      .exec()
      .then((results) => {
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error('redis transaction aborted');
      });
    return code;
  }

  /** Checks `code` for `key`; on a match the code is consumed. */
  async check(key: string, code: string): Promise<OtpCheck> {
    const reply = (await this.redis.eval(CHECK_SCRIPT, 1, key, String(this.options.maxAttempts))) as
      | null
      | string
      | [string | null, string | null];
    if (reply === null) return { ok: false, reason: 'missing' };
    if (reply === 'exceeded') return { ok: false, reason: 'attempts_exceeded' };
    const [digest, subject] = reply as [string | null, string | null];
    const candidate = typeof code === 'string' ? hashCode(code, this.options.pepper) : '';
    if (!digest || !constantTimeEqual(candidate, digest)) return { ok: false, reason: 'mismatch' };
    // Single use: only the caller whose DEL removed the key may use the code.
    if ((await this.redis.del(key)) !== 1) return { ok: false, reason: 'missing' };
    return { ok: true, subject: subject === null || subject === '' ? null : subject };
  }

  async discard(key: string): Promise<void> {
    await this.redis.del(key);
  }
}
