/**
 * What player_service reads from a request the gateway forwarded (gateway
 * proxy: X-Brand-Id, X-Player-Id, X-Player-Account, X-Session-Jti and
 * X-Client-Ip). These headers are trusted only because InternalTokenGuard
 * verified the gateway's per-caller token first (ADR-009 "Internal service
 * tokens"); the gateway strips client-sent copies at its edge.
 */
import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthRequiredError } from '@app/http';
import { currentRequestId } from '@app/observability';

export interface PlayerIdentity {
  playerId: number;
  account: string;
  jti: string;
}

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** The request domain resolved by the gateway (`X-Request-Domain`), trusted behind its internal token. */
  domain: string | null;
}

type IdentityCarrier = FastifyRequest & { playerIdentity?: PlayerIdentity };

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  const raw = Array.isArray(value) ? value[0] : value;
  return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
}

export function parseIdentity(req: FastifyRequest): PlayerIdentity | null {
  const id = header(req, 'x-player-id');
  const account = header(req, 'x-player-account');
  const jti = header(req, 'x-session-jti');
  if (!id || !/^[0-9]{1,15}$/.test(id) || !account || account.length > 64 || !jti || jti.length > 128) return null;
  const playerId = Number(id);
  return playerId > 0 ? { playerId, account, jti } : null;
}

/** Authenticated player routes: the gateway-verified identity headers must be present, else status 3. */
@Injectable()
export class PlayerIdentityGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<IdentityCarrier>();
    const identity = parseIdentity(req);
    if (!identity) throw new AuthRequiredError();
    req.playerIdentity = identity;
    return true;
  }
}

export const CurrentPlayer = createParamDecorator((_data: unknown, context: ExecutionContext): PlayerIdentity => {
  const identity = context.switchToHttp().getRequest<IdentityCarrier>().playerIdentity;
  if (!identity) throw new AuthRequiredError();
  return identity;
});

/** The client address: X-Client-Ip from the gateway, else the socket peer. */
export function requestInfo(req: FastifyRequest): RequestInfo {
  const forwarded = header(req, 'x-client-ip');
  const ip = forwarded && forwarded.length <= 64 ? forwarded : (req.socket?.remoteAddress ?? null);
  const ua = header(req, 'user-agent');
  const domain = header(req, 'x-request-domain');
  return {
    ip,
    userAgent: ua ? ua.slice(0, 512) : null,
    requestId: currentRequestId() ?? req.id ?? null,
    domain: domain && domain.length <= 253 ? domain : null,
  };
}

export const ReqInfo = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestInfo => requestInfo(context.switchToHttp().getRequest<FastifyRequest>()),
);
