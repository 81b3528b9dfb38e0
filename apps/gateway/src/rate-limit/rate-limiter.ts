/**
 * issue 3 point 9: `RATE_LIMIT_PER_MINUTE` requests per client address and
 * brand, counted in Redis (shared by replicas) through the throttler storage.
 * Over the limit → 429 + status 6 until the window ends.
 */
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@app/config';
import { clientIp } from '../pipeline/client-ip';
import type { GatewayState } from '../pipeline/request-state';
import {
  RedisThrottlerStorage,
  type ThrottleHit,
  type ThrottlerStorageRecord,
} from './redis-throttler.storage';

const WINDOW_MS = 60_000;
const THROTTLER_NAME = 'gateway';

@Injectable()
export class RateLimiter {
  private readonly limit: number;

  constructor(
    private readonly storage: RedisThrottlerStorage,
    @Inject(APP_CONFIG) config: GatewayConfig,
  ) {
    this.limit = config.RATE_LIMIT_PER_MINUTE;
  }

  /** The bucket of one request: its brand (or none) and client address. */
  hitFor(req: IncomingMessage, state: GatewayState): ThrottleHit {
    return {
      key: `${state.brandId ?? 'none'}:${clientIp(req)}`,
      ttlMs: WINDOW_MS,
      limit: this.limit,
      blockMs: WINDOW_MS,
    };
  }

  hit(hit: ThrottleHit): Promise<ThrottlerStorageRecord> {
    return this.storage.increment(hit.key, hit.ttlMs, hit.limit, hit.blockMs, THROTTLER_NAME);
  }

  /** The same hit, plus one read in the same Redis command (the session step's session key). */
  hitAndGet(
    hit: ThrottleHit,
    readKey: string,
  ): Promise<{ record: ThrottlerStorageRecord; value: string | null }> {
    return this.storage.incrementAndGet(hit, THROTTLER_NAME, readKey);
  }
}
