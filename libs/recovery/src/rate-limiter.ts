import type Redis from 'ioredis';

/**
 * Fixed-window counters in Redis for the recovery and OTP endpoints (seed 000
 * "per-contact and per-IP rate limits"). INCR and the first EXPIRE run in one
 * MULTI, so a window always ends even if the process dies between the two.
 * Counting happens before any account lookup, so known and unknown contacts
 * hit the limit after the same number of requests (no existence oracle).
 */
export interface RateLimitRule {
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitVerdict {
  allowed: boolean;
  /** The first rule that was exceeded. */
  exceeded?: RateLimitRule;
  counts: number[];
}

export class FixedWindowRateLimiter {
  constructor(private readonly redis: Redis) {}

  async hit(rules: readonly RateLimitRule[]): Promise<RateLimitVerdict> {
    const multi = this.redis.multi();
    for (const rule of rules) {
      multi.incr(rule.key);
      multi.expire(rule.key, rule.windowSeconds, 'NX');
    }
    const results = await multi.exec();
    if (!results) throw new Error('redis transaction aborted');
    const counts = rules.map((_, i) => {
      const [err, value] = results[i * 2];
      if (err) throw err;
      return Number(value);
    });
    const index = rules.findIndex((rule, i) => counts[i] > rule.limit);
    return index < 0 ? { allowed: true, counts } : { allowed: false, exceeded: rules[index], counts };
  }
}
