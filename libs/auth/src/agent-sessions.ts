/**
 * Agent token revocation (seed 001 auth; CONTRACTS §4 style keys): logout
 * puts the token's jti on a Redis denylist until the token would expire
 * anyway; a password change or recovery reset (agent service) and an
 * operator's password reset or lock (admin service) revoke every live token
 * of the agent, so it lives here where both apps reach it. Live tokens are tracked per agent in a sorted set scored by expiry,
 * so revoke-all touches only unexpired ones. The per-request check is one GET.
 * A Redis failure on a write is status 7 (CONTRACTS §2), never a 500.
 */
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { execOrUnavailable, REDIS, redisOrUnavailable } from '@app/redis';

export const agentDenyKey = (jti: string): string => `agent-session:deny:${jti}`;
export const agentActiveKey = (agentId: number): string => `agent-session:active:${agentId}`;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const STORE = 'session store';

@Injectable()
export class AgentSessions {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async register(agentId: number, jti: string, exp: number): Promise<void> {
    const now = nowSeconds();
    const key = agentActiveKey(agentId);
    await execOrUnavailable(STORE, () =>
      this.redis
        .multi()
        .zremrangebyscore(key, '-inf', now)
        .zadd(key, exp, jti)
        .expireat(key, exp, 'GT')
        .expireat(key, exp, 'NX')
        .exec(),
    );
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.redis.exists(agentDenyKey(jti))) === 1;
  }

  async revoke(agentId: number, jti: string, exp: number): Promise<void> {
    const ttl = Math.max(1, exp - nowSeconds());
    await execOrUnavailable(STORE, () =>
      this.redis.multi().set(agentDenyKey(jti), '1', 'EX', ttl).zrem(agentActiveKey(agentId), jti).exec(),
    );
  }

  /** Revokes every unexpired token of the agent; returns how many. */
  async revokeAll(agentId: number): Promise<number> {
    const now = nowSeconds();
    const key = agentActiveKey(agentId);
    const live = await redisOrUnavailable(STORE, () =>
      this.redis.zrangebyscore(key, now + 1, '+inf', 'WITHSCORES'),
    );
    const multi = this.redis.multi();
    for (let i = 0; i < live.length; i += 2) {
      multi.set(agentDenyKey(live[i]), '1', 'EX', Math.max(1, Number(live[i + 1]) - now));
    }
    multi.del(key);
    await execOrUnavailable(STORE, () => multi.exec());
    return live.length / 2;
  }
}
