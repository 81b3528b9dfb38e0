/**
 * gateway seed "JWT verifier hot-reload (T4-D-I4)": one cached verifier per
 * process, built from the key source (JWT_PUBLIC_KEYS by default), dropped
 * on every `jwt_public_keys_changed` message and rebuilt from a fresh read
 * of the source on the next request, so a rotation needs no restart. The
 * per-request path never re-parses keys. `/health` reports JWT_KID.
 *
 * Verified tokens are remembered until their `exp` (bounded, cleared on every
 * key change), so a player's repeated requests pay the RS256 verification
 * once per token instead of once per request; rejections are never
 * remembered, so forged tokens always meet the verifier (and its
 * unknown-kid counter). Revocation does not depend on this: the session
 * cross-check runs on every request.
 *
 * The key source is a provider (`JWT_KEY_SOURCE`) so that an operator-side
 * source (a mounted keys file: `JWT_PUBLIC_KEYS_FILE`) or a test can change
 * what the next rebuild reads. `/health` `jwt_kids` lists the kids of the
 * source, i.e. what the verifier accepts once the rotation message arrives:
 * the rotate-jwt-kid tool publishes only when every verifier lists the new kid.
 */
import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { JWT_KEYS_CHANNEL, JwtKeyRing, type PlayerClaims } from '@app/auth';
import { APP_CONFIG, type GatewayConfig, parsePublicKeys } from '@app/config';
import { HealthRegistry } from '@app/health';
import { REDIS_SUBSCRIBER } from '@app/redis';

/** Returns kid → SPKI PEM; read again after every invalidation and by /health. */
export type JwtKeySource = () => ReadonlyMap<string, string>;
export const JWT_KEY_SOURCE = Symbol('JWT_KEY_SOURCE');

const VERIFIED_CACHE_MAX = 50_000;
/**
 * Remembered tokens are found by the tail of their signature: hashing a whole
 * token (≈ 800 characters, a new string on every request) cost about as much
 * as the rest of the lookup. The hit is then confirmed against the whole
 * token, so only the exact token verified before matches.
 */
const LOOKUP_TAIL = 32;

function lookupKey(token: string): string {
  return token.slice(-LOOKUP_TAIL);
}

/**
 * The default source: the keys file when `JWT_PUBLIC_KEYS_FILE` is set (re-read
 * on each rebuild, so rotation is a file push plus one PUBLISH), else the
 * JWT_PUBLIC_KEYS map the process started with.
 */
export function keySourceFromConfig(config: GatewayConfig): JwtKeySource {
  const file = config.JWT_PUBLIC_KEYS_FILE;
  if (file) return () => parsePublicKeys(readFileSync(file, 'utf8'));
  const keys = parsePublicKeys(config.JWT_PUBLIC_KEYS);
  return () => keys;
}

@Injectable()
export class PlayerTokens implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PlayerTokens');
  private readonly ring: JwtKeyRing;
  private readonly onMessage = (channel: string): void => {
    if (channel === JWT_KEYS_CHANNEL) this.invalidate();
  };
  private lastKids: string[] = [];
  /** token → claims, in insertion order; entries expire at the token's `exp`. */
  private readonly verified = new Map<string, { token: string; claims: PlayerClaims }>();
  private generation = 0;

  constructor(
    @Inject(JWT_KEY_SOURCE) private readonly source: JwtKeySource,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    private readonly health: HealthRegistry,
  ) {
    this.ring = new JwtKeyRing({
      loadKeys: source,
      service: 'gateway',
      logger: { warn: (obj, msg) => this.logger.warn(obj, msg) },
    });
  }

  onModuleInit(): void {
    this.health.setInfo('jwt_kid', () => this.config.JWT_KID ?? null);
    this.health.setInfo('jwt_kids', () => this.sourceKids());
    // Not awaited: the subscriber queues SUBSCRIBE until Redis is reachable, and boot must not wait on Redis.
    this.subscriber.on('message', this.onMessage);
    this.subscriber
      .subscribe(JWT_KEYS_CHANNEL)
      .catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message }, 'jwt key channel subscription failed'),
      );
  }

  onApplicationShutdown(): void {
    this.subscriber.removeListener('message', this.onMessage);
  }

  /** Verifies a player token (RS256, known kid, exp, typ "player"); throws JwtRejectedError (status 3). */
  async verify(token: string): Promise<PlayerClaims> {
    const known = this.remembered(token);
    if (known) return known;
    const generation = this.generation;
    const claims = await this.ring.verify(token, 'player');
    // A verification that straddled a key change is not remembered.
    if (generation === this.generation) this.remember(token, claims);
    return claims;
  }

  /** The claims of a token verified before and not yet expired, else undefined. */
  remembered(token: string): PlayerClaims | undefined {
    const key = lookupKey(token);
    const known = this.verified.get(key);
    if (known === undefined || known.token !== token) return undefined;
    if (known.claims.exp * 1000 > Date.now()) return known.claims;
    this.verified.delete(key);
    return undefined;
  }

  /** The kids the key source holds now (the last readable set if it cannot be read). */
  sourceKids(): string[] {
    try {
      this.lastKids = [...this.source().keys()].sort();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'jwt key source unreadable');
    }
    return this.lastKids;
  }

  /** Drops the cached verifier and every remembered token; the next verification re-reads the key source. */
  invalidate(): void {
    this.generation += 1;
    this.verified.clear();
    this.ring.invalidate();
  }

  private remember(token: string, claims: PlayerClaims): void {
    if (this.verified.size >= VERIFIED_CACHE_MAX) {
      // Drop the oldest entry (Map keeps insertion order).
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(lookupKey(token), { token, claims });
  }
}
