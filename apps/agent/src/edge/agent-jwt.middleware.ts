/**
 * agent_service edge, after brand resolution (seed 001; the gateway's
 * T7-B5/T8-D2 ordering rule, asserted at boot): a `Bearer` agent token is
 * verified (RS256, kid allow list, `typ: "agent"`) and checked against the
 * logout/revocation denylist, and the agent is left on the request. Nothing
 * is refused here: public routes (login, recovery) ignore a stale token, and
 * the auth guard refuses protected routes without an agent (status 3).
 * A Redis failure on the denylist check fails closed (status 7), thrown by
 * the first guard like every edge refusal.
 */
import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { JwtRejectedError, AgentSessions } from '@app/auth';
import { DownstreamUnavailableError } from '@app/http';
import { AgentTokens } from './agent-tokens';
import type { AgentRawRequest } from './request-context';

export const AGENT_TOKENS = Symbol('AGENT_TOKENS');

export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : null;
}

@Injectable()
export class AgentJwtMiddleware implements NestMiddleware {
  private readonly logger = new Logger('AgentJwt');

  constructor(
    @Inject(AGENT_TOKENS) private readonly tokens: AgentTokens,
    private readonly sessions: AgentSessions,
  ) {}

  async use(req: AgentRawRequest, _res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    const token = bearerToken(req.headers.authorization);
    if (token === null || req.edgeError !== undefined) {
      next();
      return;
    }
    try {
      const claims = await this.tokens.verify(token);
      let revoked: boolean;
      try {
        revoked = await this.sessions.isRevoked(claims.jti);
      } catch (err) {
        this.logger.error({
          reason: 'session_store_unavailable',
          err: err instanceof Error ? err.message : String(err),
        });
        req.edgeError = new DownstreamUnavailableError('session store unavailable');
        next();
        return;
      }
      if (!/^[1-9][0-9]{0,15}$/.test(claims.sub)) {
        req.agentAuthError = 'bad_claims';
      } else if (revoked) {
        req.agentAuthError = 'revoked';
      } else {
        req.agent = {
          agentId: Number(claims.sub),
          account: claims.account,
          tokenBrandId: claims.brand_id,
          jti: claims.jti,
          exp: claims.exp,
        };
      }
    } catch (err) {
      if (err instanceof JwtRejectedError) req.agentAuthError = err.reason;
      else req.edgeError = err;
    }
    next();
  }
}
