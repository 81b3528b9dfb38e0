/**
 * gateway seed "JWT signing" + issue 3 point 4: routes that need a player
 * require `Authorization: Bearer <jwt>`, verified RS256-only against the
 * JWT_PUBLIC_KEYS kid allow list (alg none / HS* / unknown kid / missing or
 * past exp / foreign key / wrong typ are all status 3, HTTP 200 on this
 * frontend surface). Unknown kids count `gateway_jwt_unknown_kid_total`
 * inside the verifier. Public routes and provider callbacks skip this step.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import { JwtRejectedError } from '@app/auth';
import { AuthRequiredError } from '@app/http';
import { PlayerTokens } from '../auth/player-tokens';
import { type GatewayState, isLive, logFields, type Next, reject, stateOf } from './request-state';

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return null;
  const token = header.slice(space + 1).trim();
  return token === '' ? null : token;
}

@Injectable()
export class JwtAuthMiddleware implements NestMiddleware {
  private readonly logger = new Logger('JwtAuth');

  constructor(private readonly tokens: PlayerTokens) {}

  /** Synchronous when the step has nothing to do or the token was verified before (no promise per request). */
  use(req: IncomingMessage, _res: ServerResponse, next: Next): void | Promise<void> {
    const state = stateOf(req);
    if (!isLive(state) || state.route.auth !== 'player') return next();
    const token = bearer(req.headers.authorization);
    if (!token) {
      reject(state, new AuthRequiredError());
      return next();
    }
    const known = this.tokens.remembered(token);
    if (known) {
      state.claims = known;
      return next();
    }
    return this.verify(req, token, state, next);
  }

  private async verify(req: IncomingMessage, token: string, state: GatewayState, next: Next): Promise<void> {
    try {
      state.claims = await this.tokens.verify(token);
    } catch (err) {
      // The reason is safe to log; the token never is.
      if (err instanceof JwtRejectedError)
        this.logger.debug({ ...logFields(req), reason: err.reason }, 'player token rejected');
      reject(state, err instanceof AuthRequiredError ? err : new AuthRequiredError());
    }
    next();
  }
}
