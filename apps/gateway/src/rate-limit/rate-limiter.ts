/**
 * issue 3 point 9: `RATE_LIMIT_PER_MINUTE` requests per client address and
 * brand, counted in Redis (shared by replicas) through the throttler storage.
 * Over the limit → 429 + status 6 until the window ends.
 *
 * Exact where it matters, cheap where it does not: a bucket's first hit in a
 * window, and every hit once the bucket's count is past half the limit, is a
 * synchronous Redis hit (the shared count decides). Below half the limit a
 * replica that already knows the bucket counts the hit in process and reports
 * it with the next flush (the first hit after a quiet spell at once, then at
 * most every FLUSH_INTERVAL_MS, so a busy client costs one Redis command per
 * interval instead of one per request). A block learnt from Redis is applied
 * in process until it ends. Replicas that each count locally below half the
 * limit can together let through at most what they counted before their
 * flushes land, and only while the shared count is under half the limit.
 */
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@app/config';
import { counter } from '@app/observability';
import { clientIp } from '../pipeline/client-ip';
import type { GatewayState } from '../pipeline/request-state';
import {
  type HitRecord,
  RedisThrottlerStorage,
  type ThrottleHit,
  type ThrottlerStorageRecord,
} from './redis-throttler.storage';

const WINDOW_MS = 60_000;
const THROTTLER_NAME = 'gateway';
/** Spacing of the reports of hits counted in process. */
export const FLUSH_INTERVAL_MS = 10;
/** After a failed report, when to try again. */
const RETRY_AFTER_FAILURE_MS = 1000;
/** Buckets known in process; past this, new buckets are decided in Redis only. */
const MAX_BUCKETS = 100_000;

export const rateLimitStoreErrors = () =>
  counter(
    'gateway_rate_limit_store_errors_total',
    'Requests passed unlimited because Redis could not count them',
    ['service'] as const,
  );

interface Bucket {
  hit: ThrottleHit;
  /** The shared count at Redis' last answer. */
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
  /** Counted here, not reported yet. */
  pending: number;
  /** Reported, not acknowledged yet. */
  inFlight: number;
}

@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly limit: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly dirty = new Set<Bucket>();
  private flushTimer: NodeJS.Timeout | null = null;
  private flushQueued = false;
  private lastFlushAt = 0;
  private retryAt = 0;
  private closed = false;

  constructor(
    private readonly storage: RedisThrottlerStorage,
    @Inject(APP_CONFIG) config: GatewayConfig,
  ) {
    this.limit = config.RATE_LIMIT_PER_MINUTE;
  }

  onApplicationShutdown(): void {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
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

  /**
   * Decides in process when this replica knows the bucket and it is blocked
   * or well below its limit (the hit is then counted here and reported with
   * the next flush); null when Redis must decide (hit or hitAndGet).
   */
  tryLocal(hit: ThrottleHit): ThrottlerStorageRecord | null {
    const bucket = this.buckets.get(hit.key);
    if (bucket === undefined) return null;
    const now = Date.now();
    if (bucket.blockedUntil > now) {
      const left = bucket.blockedUntil - now;
      return {
        totalHits: bucket.hits,
        timeToExpire: Math.ceil(Math.max(0, bucket.windowEndsAt - now) / 1000),
        isBlocked: true,
        timeToBlockExpire: Math.ceil(left / 1000),
      };
    }
    if (now >= bucket.windowEndsAt) {
      // The window is over: what was counted in it no longer matters.
      this.forget(bucket);
      return null;
    }
    const counted = bucket.hits + bucket.inFlight + bucket.pending + 1;
    if (counted * 2 > hit.limit) return null;
    bucket.pending += 1;
    this.dirty.add(bucket);
    this.scheduleFlush();
    return {
      totalHits: counted,
      timeToExpire: Math.ceil((bucket.windowEndsAt - now) / 1000),
      isBlocked: false,
      timeToBlockExpire: 0,
    };
  }

  async hit(hit: ThrottleHit): Promise<ThrottlerStorageRecord> {
    const record = await this.storage.incrementBy(hit, THROTTLER_NAME, 1);
    this.learn(hit, record);
    return record;
  }

  /** The same hit, plus one read in the same Redis command (the session step's session key). */
  async hitAndGet(
    hit: ThrottleHit,
    readKey: string,
  ): Promise<{ record: ThrottlerStorageRecord; value: string | null }> {
    const result = await this.storage.incrementAndGet(hit, THROTTLER_NAME, readKey);
    this.learn(hit, result.record);
    return result;
  }

  /** Buckets this replica knows (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Redis' answers arrive in the order they were asked on the one connection, so the last one is the newest. */
  private learn(hit: ThrottleHit, record: HitRecord): void {
    const now = Date.now();
    let bucket = this.buckets.get(hit.key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) return;
      bucket = { hit, hits: 0, windowEndsAt: 0, blockedUntil: 0, pending: 0, inFlight: 0 };
      this.buckets.set(hit.key, bucket);
    }
    bucket.hits = record.totalHits;
    bucket.windowEndsAt = now + record.ttlMs;
    bucket.blockedUntil = record.isBlocked ? now + record.blockTtlMs : 0;
    if (!record.isBlocked && record.ttlMs === 0) this.forget(bucket);
  }

  private forget(bucket: Bucket): void {
    if (this.buckets.get(bucket.hit.key) === bucket) this.buckets.delete(bucket.hit.key);
    this.dirty.delete(bucket);
  }

  private scheduleFlush(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    const wait = Math.max(0, this.lastFlushAt + FLUSH_INTERVAL_MS - Date.now(), this.retryAt - Date.now());
    if (wait === 0) {
      setImmediate(this.flush);
    } else {
      this.flushTimer = setTimeout(this.flush, wait);
      this.flushTimer.unref();
    }
  }

  /** Reports every bucket's hits counted since the last report, one Redis command per bucket. */
  private readonly flush = (): void => {
    this.flushQueued = false;
    this.flushTimer = null;
    this.lastFlushAt = Date.now();
    for (const bucket of this.dirty) {
      const count = bucket.pending;
      bucket.pending = 0;
      bucket.inFlight += count;
      this.storage.incrementBy(bucket.hit, THROTTLER_NAME, count).then(
        (record) => {
          bucket.inFlight -= count;
          if (this.buckets.get(bucket.hit.key) === bucket) this.learn(bucket.hit, record);
        },
        (err: unknown) => {
          bucket.inFlight -= count;
          if (this.buckets.get(bucket.hit.key) !== bucket) return;
          // Kept for the next report: Redis still gets the count when it is back.
          bucket.pending += count;
          this.dirty.add(bucket);
          if (this.retryAt <= Date.now())
            this.logger.warn({ err: (err as Error).message }, 'rate limit report failed; retrying');
          this.retryAt = Date.now() + RETRY_AFTER_FAILURE_MS;
          this.scheduleFlush();
        },
      );
    }
    this.dirty.clear();
  };
}
