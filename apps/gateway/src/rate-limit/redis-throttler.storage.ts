/**
 * issue 3 point 9: the rate-limit counters live in Redis so every gateway
 * replica shares them. This is @nestjs/throttler's `ThrottlerStorage`
 * contract (fixed window from the first hit, then blocked for
 * `blockDuration`) implemented as one Lua script, so a hit is one atomic
 * round trip. The published Redis storage package does not declare Nest 12,
 * hence this small one.
 *
 * `incrementAndGet` records a hit and reads one more key in the same script:
 * the session step uses it so that an authenticated request costs exactly
 * one Redis command (STACK.md: a round trip per request halves throughput;
 * an ioredis Pipeline object costs more CPU than the command itself). The
 * keys are not hash-tagged together, which is fine on the single Redis of
 * ADR-009 ("one Redis") and would need a tag under Redis Cluster.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { REDIS } from '@app/redis';

/** @nestjs/throttler's record type (not re-exported by its index). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * KEYS: hits, block. ARGV: ttl ms, limit, block ms, hits to add (1 unless a
 * replica reports several counted in process). Yields {hits, hits pttl,
 * blocked 0/1, block pttl}.
 */
const HIT = `
local function hit()
  local blockTtl = redis.call('PTTL', KEYS[2])
  if blockTtl > 0 then
    local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
    return {hits, redis.call('PTTL', KEYS[1]), 1, blockTtl}
  end
  local hits = redis.call('INCRBY', KEYS[1], tonumber(ARGV[4] or '1'))
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  if hits > tonumber(ARGV[2]) then
    redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
    return {hits, ttl, 1, tonumber(ARGV[3])}
  end
  return {hits, ttl, 0, 0}
end
`;

const COMMANDS = {
  hit: { name: 'gatewayThrottleHit', numberOfKeys: 2, lua: `${HIT}\nreturn hit()` },
  /** KEYS[3]: the key to read; its value (or nil) is the fifth element. */
  hitAndGet: {
    name: 'gatewayThrottleHitAndGet',
    numberOfKeys: 3,
    lua: `${HIT}\nlocal r = hit()\nr[5] = redis.call('GET', KEYS[3]) or false\nreturn r`,
  },
} as const;

type Reply = [number, number, number, number, (string | null)?];
type ScriptFn = (...args: (string | number)[]) => Promise<Reply>;

/** One hit to record: where, and the window's parameters in milliseconds. */
export interface ThrottleHit {
  key: string;
  ttlMs: number;
  limit: number;
  blockMs: number;
}

/** A throttler record plus the same two times in milliseconds, for the in-process buckets. */
export interface HitRecord extends ThrottlerStorageRecord {
  ttlMs: number;
  blockTtlMs: number;
}

export function toRecord(reply: Reply): HitRecord {
  const [hits, ttl, blocked, blockTtl] = reply.slice(0, 4).map(Number);
  return {
    totalHits: hits,
    // Seconds, like @nestjs/throttler's in-memory storage.
    timeToExpire: Math.max(0, Math.ceil(ttl / 1000)),
    isBlocked: blocked === 1,
    timeToBlockExpire: Math.max(0, Math.ceil(blockTtl / 1000)),
    ttlMs: Math.max(0, ttl),
    blockTtlMs: Math.max(0, blockTtl),
  };
}

@Injectable()
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly hitScript: ScriptFn;
  private readonly hitAndGetScript: ScriptFn;

  constructor(@Inject(REDIS) redis: Redis) {
    const commands = redis as unknown as Record<string, ScriptFn | undefined>;
    for (const { name, numberOfKeys, lua } of Object.values(COMMANDS)) {
      if (typeof commands[name] !== 'function') redis.defineCommand(name, { numberOfKeys, lua });
    }
    this.hitScript = (commands[COMMANDS.hit.name] as ScriptFn).bind(redis);
    this.hitAndGetScript = (commands[COMMANDS.hitAndGet.name] as ScriptFn).bind(redis);
  }

  /** Hash-tagged so the hits and block keys share a cluster slot. */
  static keys(key: string): [string, string] {
    return [`throttle:{${key}}:hits`, `throttle:{${key}}:block`];
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<HitRecord> {
    return this.incrementBy({ key, ttlMs: ttl, limit, blockMs: blockDuration }, throttlerName, 1);
  }

  /** Adds `count` hits at once (a replica reporting the hits it counted in process). */
  async incrementBy(hit: ThrottleHit, throttlerName: string, count: number): Promise<HitRecord> {
    const [hits, block] = RedisThrottlerStorage.keys(`${throttlerName}:${hit.key}`);
    return toRecord(await this.hitScript(hits, block, hit.ttlMs, hit.limit, hit.blockMs, count));
  }

  /** Records one hit and reads `readKey`, atomically, in one command. */
  async incrementAndGet(
    hit: ThrottleHit,
    throttlerName: string,
    readKey: string,
  ): Promise<{ record: HitRecord; value: string | null }> {
    const [hits, block] = RedisThrottlerStorage.keys(`${throttlerName}:${hit.key}`);
    const reply = await this.hitAndGetScript(hits, block, readKey, hit.ttlMs, hit.limit, hit.blockMs, 1);
    return { record: toRecord(reply), value: reply[4] ?? null };
  }
}
