/**
 * gateway seed "Player session cross-check (T1-D-C1)" + issue 3 point 5:
 * a valid player JWT is honoured only while its session is the active one:
 * `user-session:brand:{brand_id}:{account}` (written by the player service at
 * login) must exist and carry the token's `jti` (and player id). The brand is
 * the request's resolved brand, else the JWT's `brand_id`; there is no
 * fallback to an unprefixed key. A miss or a replaced session is status 3
 * (HTTP 200) plus `gateway_jwt_session_missing_total`. Redis down → status 7
 * (fail closed: no request is served without its session check).
 *
 * A session that matched is remembered by the SessionCache, which Redis
 * keeps current by announcing every change of a session key: the next
 * request of the same token is checked in process, with no round trip. Only
 * a match is ever served from there; anything else asks Redis.
 *
 * When the step does go to Redis, the rate-limit hit of the later rate-limit
 * step is recorded by the same command that reads the session, so such a
 * request costs one Redis round trip; that step still makes the decision, in
 * its place in the pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { PlayerClaims } from '@app/auth';
import { AuthRequiredError, DownstreamUnavailableError } from '@app/http';
import { Metrics } from '@app/observability';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { sameId } from '../session/same-id';
import { SessionCache } from '../session/session-cache';
import { type GatewayState, isLive, logFields, type Next, reject, stateOf } from './request-state';

export function sessionKey(brandId: number, account: string): string {
  return `user-session:brand:${brandId}:${account}`;
}

/** True when the stored session is the one this token was issued for. */
export function sessionMatches(raw: string | null, jti: string, playerId: string): boolean {
  if (raw === null) return false;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null) return false;
  const session = value as { jti?: unknown; player_id?: unknown };
  if (typeof session.jti !== 'string' || !sameId(session.jti, jti)) return false;
  return session.player_id === undefined || String(session.player_id) === playerId;
}

@Injectable()
export class SessionCheckMiddleware implements NestMiddleware {
  private readonly logger = new Logger('SessionCheck');

  constructor(
    private readonly limiter: RateLimiter,
    private readonly sessions: SessionCache,
  ) {}

  /** Synchronous when the session is remembered and matches. */
  use(req: IncomingMessage, _res: ServerResponse, next: Next): void | Promise<void> {
    const state = stateOf(req);
    const claims = state.claims;
    if (!isLive(state) || claims === null) return next();
    const key = sessionKey(state.brandId ?? claims.brand_id, claims.account);
    if (this.sessions.matches(key, claims.jti, claims.sub)) return next();
    return this.check(req, state, claims, key, next);
  }

  private async check(
    req: IncomingMessage,
    state: GatewayState,
    claims: PlayerClaims,
    key: string,
    next: Next,
  ): Promise<void> {
    try {
      const mark = this.sessions.mark();
      const { record, value } = await this.limiter.hitAndGet(this.limiter.hitFor(req, state), key);
      if (!sessionMatches(value, claims.jti, claims.sub)) {
        Metrics.jwtSessionMissing().inc({ service: 'gateway' });
        // Applied by the brand-enforcement step, which runs next (see GatewayState.sessionError).
        state.sessionError = new AuthRequiredError();
      } else {
        this.sessions.remember(key, claims.jti, claims.sub, mark);
        state.rateLimit = record;
      }
    } catch (err) {
      this.logger.warn({ ...logFields(req), err: (err as Error).message }, 'session store unavailable');
      reject(state, new DownstreamUnavailableError('session store unavailable'));
    }
    next();
  }
}
