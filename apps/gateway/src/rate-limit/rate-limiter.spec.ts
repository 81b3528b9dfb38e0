import type { GatewayConfig } from '@app/config';
import { RateLimiter } from './rate-limiter';
import type { HitRecord, RedisThrottlerStorage, ThrottleHit } from './redis-throttler.storage';

/**
 * The in-process side of the limiter against a recording stand-in for the
 * Redis script (fixed window from the first hit, blocked past the limit);
 * the shared-budget behaviour over real Redis is in test/gateway/rate-limit.
 */
class RecordingStorage {
  readonly reports: number[] = [];
  hits = 0;
  windowMs = 60_000;
  fail = false;

  private record(limit: number, blockMs: number): HitRecord {
    const blocked = this.hits > limit;
    return {
      totalHits: this.hits,
      timeToExpire: Math.ceil(this.windowMs / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil(blockMs / 1000) : 0,
      ttlMs: this.windowMs,
      blockTtlMs: blocked ? blockMs : 0,
    };
  }

  async incrementBy(hit: ThrottleHit, _name: string, count: number): Promise<HitRecord> {
    if (this.fail) throw new Error('redis down');
    this.reports.push(count);
    this.hits += count;
    return this.record(hit.limit, hit.blockMs);
  }

  async incrementAndGet(hit: ThrottleHit): Promise<{ record: HitRecord; value: string | null }> {
    return { record: await this.incrementBy(hit, 'gateway', 1), value: null };
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

function limiterWith(limit: number): { limiter: RateLimiter; storage: RecordingStorage; hit: ThrottleHit } {
  const storage = new RecordingStorage();
  const limiter = new RateLimiter(
    storage as unknown as RedisThrottlerStorage,
    {
      RATE_LIMIT_PER_MINUTE: limit,
    } as GatewayConfig,
  );
  return { limiter, storage, hit: { key: '1:10.0.0.1', ttlMs: 60_000, limit, blockMs: 60_000 } };
}

describe('RateLimiter (in process)', () => {
  it('asks Redis for the first hit of a bucket it does not know', async () => {
    const { limiter, storage, hit } = limiterWith(100);
    expect(limiter.tryLocal(hit)).toBeNull();
    expect((await limiter.hit(hit)).isBlocked).toBe(false);
    expect(storage.reports).toEqual([1]);
  });

  it('counts hits below half the limit in process and reports them together', async () => {
    const { limiter, storage, hit } = limiterWith(100);
    await limiter.hit(hit);
    for (let i = 0; i < 10; i += 1) {
      const decided = limiter.tryLocal(hit);
      expect(decided).not.toBeNull();
      expect(decided?.isBlocked).toBe(false);
    }
    expect(storage.reports).toEqual([1]);
    await settle();
    expect(storage.reports).toEqual([1, 10]);
    expect(storage.hits).toBe(11);
  });

  it('leaves every hit past half the limit to Redis, so the shared count decides near the limit', async () => {
    const { limiter, storage, hit } = limiterWith(10);
    await limiter.hit(hit);
    const local = [];
    while (limiter.tryLocal(hit) !== null) local.push(1);
    // 1 known + 4 counted here = 5 = half of 10: the sixth hit is Redis'.
    expect(local).toHaveLength(4);
    await settle();
    expect(storage.hits).toBe(5);
    expect(limiter.tryLocal(hit)).toBeNull();
  });

  it('applies a block learnt from Redis in process until it ends', async () => {
    const { limiter, storage, hit } = limiterWith(2);
    await limiter.hit(hit);
    await limiter.hit(hit);
    const third = await limiter.hit(hit);
    expect(third.isBlocked).toBe(true);
    const reports = storage.reports.length;
    const decided = limiter.tryLocal(hit);
    expect(decided?.isBlocked).toBe(true);
    expect(decided?.timeToBlockExpire).toBeGreaterThan(0);
    expect(decided?.timeToBlockExpire).toBeLessThanOrEqual(60);
    expect(storage.reports.length).toBe(reports);
  });

  it('forgets a bucket whose window is over and asks Redis again', async () => {
    const { limiter, storage, hit } = limiterWith(100);
    storage.windowMs = 20;
    await limiter.hit(hit);
    expect(limiter.tryLocal(hit)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(limiter.tryLocal(hit)).toBeNull();
    expect(limiter.size).toBe(0);
  });

  it('keeps hits it could not report and reports them once Redis answers again', async () => {
    const { limiter, storage, hit } = limiterWith(100);
    await limiter.hit(hit);
    storage.fail = true;
    for (let i = 0; i < 3; i += 1) limiter.tryLocal(hit);
    await settle();
    expect(storage.hits).toBe(1);
    storage.fail = false;
    // The retry waits a second after a failure.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(storage.hits).toBe(4);
    limiter.onApplicationShutdown();
  });
});
