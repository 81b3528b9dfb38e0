/**
 * Per-IP accept limit of the admin socket (seed 004: "admin_ws_rate_limit_per_min
 * (default 20) caps accept() calls per IP per 60s window using a Redis
 * counter ... When Redis is unavailable, prod-runtime fails closed
 * (reason="redis_outage"); dev fails open"). One INCR + EXPIRE NX per accept:
 * the window starts at the first accept of an IP and lasts 60 s.
 */
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@app/redis';

export const WS_RATE_WINDOW_SECONDS = 60;

export type AcceptVerdict = 'allowed' | 'limited' | 'redis_outage';

export function wsRateKey(ip: string): string {
  return `admin:ws:accept:${ip}`;
}

@Injectable()
export class WsAcceptLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Counts one accept for `ip`; `redis_outage` when the counter cannot be read or written. */
  async hit(ip: string, limitPerWindow: number): Promise<AcceptVerdict> {
    const key = wsRateKey(ip);
    let results: [Error | null, unknown][] | null;
    try {
      results = await this.redis.multi().incr(key).expire(key, WS_RATE_WINDOW_SECONDS, 'NX').exec();
    } catch {
      return 'redis_outage';
    }
    const incr = results?.[0];
    if (!incr || incr[0] !== null || typeof incr[1] !== 'number') return 'redis_outage';
    return incr[1] > limitPerWindow ? 'limited' : 'allowed';
  }
}
