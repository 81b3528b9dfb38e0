/**
 * issue 3 point 9: the rate-limit step. Uses the hit the session step already
 * fetched in its Redis round trip, else lets the limiter decide in process
 * when it can (rate-limit/rate-limiter.ts), else records one in Redis. Over the limit →
 * 429 + status 6 with Retry-After. Provider callbacks are not limited (they
 * carry settlements a provider retries on refusal; game_service authenticates
 * them). When Redis cannot count, the request passes: the limiter protects
 * capacity, while identity and brand already failed closed earlier.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { RateLimitedError } from '@app/http';
import { RateLimiter, rateLimitStoreErrors } from '../rate-limit/rate-limiter';
import type { ThrottleHit, ThrottlerStorageRecord } from '../rate-limit/redis-throttler.storage';
import { type GatewayState, isLive, logFields, type Next, reject, stateOf } from './request-state';

@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  private readonly logger = new Logger('RateLimit');

  constructor(private readonly limiter: RateLimiter) {}

  /** Synchronous when the session step already fetched the hit or the limiter can decide in process. */
  use(req: IncomingMessage, res: ServerResponse, next: Next): void | Promise<void> {
    const state = stateOf(req);
    if (!isLive(state) || state.route.auth === 'provider') return next();
    if (state.rateLimit !== null) {
      this.decide(state, state.rateLimit, res);
      return next();
    }
    const hit = this.limiter.hitFor(req, state);
    const local = this.limiter.tryLocal(hit);
    if (local !== null) {
      this.decide(state, local, res);
      return next();
    }
    return this.hit(req, hit, res, state, next);
  }

  private async hit(
    req: IncomingMessage,
    hit: ThrottleHit,
    res: ServerResponse,
    state: GatewayState,
    next: Next,
  ): Promise<void> {
    try {
      this.decide(state, await this.limiter.hit(hit), res);
    } catch (err) {
      rateLimitStoreErrors().inc({ service: 'gateway' });
      this.logger.warn(
        { ...logFields(req), err: (err as Error).message },
        'rate limit store unavailable; request not counted',
      );
    }
    next();
  }
  private decide(state: GatewayState, record: ThrottlerStorageRecord, res: ServerResponse): void {
    if (!record.isBlocked) return;
    res.setHeader('retry-after', String(Math.max(1, record.timeToBlockExpire)));
    reject(state, new RateLimitedError());
  }
}
