/**
 * The player session key of CONTRACTS §4 (gateway seed: the brand-prefixed
 * session cross-check): `user-session:brand:{brand_id}:{account}` holds
 * `{"jti", "player_id"}` with TTL = token lifetime. One active session per
 * player and brand: a login overwrites the key, so the previous token's jti
 * no longer matches and the gateway refuses it.
 */
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, redisOrUnavailable } from '@app/redis';

export function sessionKey(brandId: number, account: string): string {
  return `user-session:brand:${brandId}:${account}`;
}

// Deletes the key only while it still holds the caller's jti (a newer login keeps its session).
const DELETE_IF_JTI = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, value = pcall(cjson.decode, raw)
if ok and type(value) == 'table' and value['jti'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

@Injectable()
export class SessionStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async open(
    brandId: number,
    account: string,
    session: { jti: string; playerId: number },
    ttlSeconds: number,
  ): Promise<void> {
    await this.guard(() =>
      this.redis.set(
        sessionKey(brandId, account),
        JSON.stringify({ jti: session.jti, player_id: session.playerId }),
        'EX',
        ttlSeconds,
      ),
    );
  }

  /** Logout: ends the session only if it is still the one the caller's token opened. */
  async close(brandId: number, account: string, jti: string): Promise<boolean> {
    const removed = await this.guard(() =>
      this.redis.eval(DELETE_IF_JTI, 1, sessionKey(brandId, account), jti),
    );
    return Number(removed) === 1;
  }

  /** Password change / recovery reset: every session of the player in the brand ends. */
  async revokeAll(brandId: number, account: string): Promise<void> {
    await this.guard(() => this.redis.del(sessionKey(brandId, account)));
  }

  private guard<T>(fn: () => Promise<T>): Promise<T> {
    return redisOrUnavailable('session store', fn);
  }
}
