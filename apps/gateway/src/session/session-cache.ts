/**
 * issue 3 point 5, in process: the session cross-check reads
 * `user-session:brand:{brand_id}:{account}` from Redis, and this cache keeps
 * the sessions it has seen match so the next request of the same token needs
 * no Redis round trip (docs/performance.md: the round trip was the largest
 * single cost of the gateway).
 *
 * It is Redis server-assisted client-side caching, not a timer: a dedicated
 * connection turns on `CLIENT TRACKING … BCAST PREFIX user-session:brand:`
 * redirected to a subscriber of `__redis__:invalidate`, so Redis itself
 * announces every write, delete and expiry of a session key, by any writer
 * (the player service's login, logout, password change or reset, an operator
 * with redis-cli), and a flush. An announced key is dropped at once.
 *
 * Rules that keep the check fail-closed:
 * - only a session that matched is served from here; a miss, a mismatch or a
 *   different jti always asks Redis, whose answer is authoritative;
 * - a value read from Redis is remembered only if no invalidation arrived
 *   while it was being read (the announcement can overtake the reply: they
 *   come on two connections), so a stale read is never stored;
 * - the cache is on only while both connections are up and tracking is
 *   confirmed; a closed or silent connection (no PING answer within a second)
 *   turns it off and empties it, so during a Redis outage every check goes
 *   to Redis and fails closed, as before; it turns back on by itself;
 * - every entry also expires after SESSION_CACHE_TTL_MS whatever happens
 *   (0 turns the cache off).
 * A logout is therefore seen as soon as its announcement reaches the gateway
 * (well under a millisecond on one network), not at the next TTL.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type GatewayConfig } from '@app/config';
import { HealthRegistry } from '@app/health';
import { counter } from '@app/observability';
import { createRedis } from '@app/redis';
import { sameId } from './same-id';

export const SESSION_KEY_PREFIX = 'user-session:brand:';
export const INVALIDATION_CHANNEL = '__redis__:invalidate';

/** Bound on remembered sessions; the oldest is dropped first. */
const MAX_ENTRIES = 100_000;
const LIVENESS_INTERVAL_MS = 1000;

export const sessionCacheHits = () =>
  counter(
    'gateway_session_cache_hits_total',
    'Authenticated requests whose session check was answered in process (the session was remembered and matched)',
  );

/** A remembered session: the identity it was found to match. */
interface Entry {
  jti: string;
  playerId: string;
  expiresAt: number;
}

@Injectable()
export class SessionCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SessionCache');
  private readonly ttlMs: number;
  private readonly entries = new Map<string, Entry>();
  private tracker: Redis | null = null;
  private invalidations: Redis | null = null;
  private enabled = false;
  /** Bumped by every invalidation; a read that saw it change is not stored. */
  private epoch = 0;
  private setup: Promise<void> | null = null;
  private liveness: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly health: HealthRegistry,
  ) {
    this.ttlMs = config.SESSION_CACHE_TTL_MS;
  }

  onModuleInit(): void {
    this.health.setInfo('session_cache', () => (this.ttlMs <= 0 ? 'disabled' : this.enabled ? 'on' : 'off'));
    if (this.ttlMs <= 0) return;
    const url = this.config.REDIS_URL;
    this.tracker = createRedis(url, 'gateway-session-tracking');
    this.invalidations = createRedis(url, 'gateway-session-invalidations', { autoResubscribe: false });
    for (const client of [this.tracker, this.invalidations]) {
      client.on('ready', () => this.enable());
      client.on('close', () => this.disable('connection closed'));
      client.on('error', (err: Error) => this.disable(err.message));
      client.connect().catch(() => undefined);
    }
    this.invalidations.on('messageBuffer', (channel: Buffer, keys: Buffer[] | null) => {
      if (channel.toString() === INVALIDATION_CHANNEL) this.invalidate(keys);
    });
    this.liveness = setInterval(() => void this.checkLiveness(), LIVENESS_INTERVAL_MS);
    this.liveness.unref();
  }

  onApplicationShutdown(): void {
    this.closing = true;
    if (this.liveness) clearInterval(this.liveness);
    this.disable('shutdown');
    this.tracker?.disconnect();
    this.invalidations?.disconnect();
  }

  /** True while announcements are flowing, i.e. a remembered session can be trusted. */
  get active(): boolean {
    return this.enabled;
  }

  /**
   * True when `key` is remembered as the session of this token (same jti, in
   * constant time, and player id); false means ask Redis, never "refused".
   */
  matches(key: string, jti: string, playerId: string): boolean {
    if (!this.enabled) return false;
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return false;
    }
    if (entry.playerId !== playerId || !sameId(entry.jti, jti)) return false;
    sessionCacheHits().inc();
    return true;
  }

  /** Taken before reading a session from Redis; pass it to remember(). */
  mark(): number {
    return this.epoch;
  }

  /** Remembers a session found in Redis (read since `mark`) to match this token, unless anything was announced since. */
  remember(key: string, jti: string, playerId: string, mark: number): void {
    if (!this.enabled || mark !== this.epoch) return;
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { jti, playerId, expiresAt: Date.now() + this.ttlMs });
  }

  /** Redis' announcement: these keys changed (null: the database was flushed). */
  invalidate(keys: Buffer[] | null): void {
    this.epoch += 1;
    if (keys === null) {
      this.entries.clear();
      return;
    }
    for (const key of keys) this.entries.delete(key.toString());
  }

  private disable(reason: string): void {
    if (this.enabled) this.logger.warn({ reason }, 'session cache off: every check asks Redis');
    this.enabled = false;
    this.epoch += 1;
    this.entries.clear();
  }

  /** Subscribes, then redirects the tracker's BCAST announcements to that subscription; on only when both hold. */
  private enable(): void {
    if (this.setup || this.closing) return;
    const tracker = this.tracker;
    const invalidations = this.invalidations;
    if (tracker?.status !== 'ready' || invalidations?.status !== 'ready') return;
    this.setup = (async () => {
      try {
        // A reconnected subscriber is a new client: subscribe afresh and redirect to its new id.
        await invalidations.unsubscribe().catch(() => undefined);
        const id = (await invalidations.client('ID')) as number;
        await invalidations.subscribe(INVALIDATION_CHANNEL);
        await tracker.client('TRACKING', 'OFF');
        await tracker.client('TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', SESSION_KEY_PREFIX);
        if (tracker.status === 'ready' && invalidations.status === 'ready' && !this.closing) {
          this.epoch += 1;
          this.enabled = true;
          this.logger.log('session cache on: Redis announces session key changes');
        }
      } catch (err) {
        this.disable((err as Error).message);
      } finally {
        this.setup = null;
      }
    })();
  }

  /** A subscriber that stops answering (network gone without a close) must not keep stale sessions. */
  private async checkLiveness(): Promise<void> {
    const invalidations = this.invalidations;
    if (!this.enabled || !invalidations) return;
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('invalidation channel silent')), LIVENESS_INTERVAL_MS);
    });
    try {
      await Promise.race([invalidations.ping(), silent]);
    } catch (err) {
      this.disable((err as Error).message);
      // Reconnect: a half-open connection would otherwise wait for TCP to notice.
      invalidations.disconnect(true);
    } finally {
      clearTimeout(timer);
    }
  }
}
