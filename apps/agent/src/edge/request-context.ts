/**
 * What the agent edge leaves on the raw request for the handlers (seed 001,
 * ADR-009): the brand resolved from the request domain and the authenticated
 * agent. Param decorators read them and fail with the contract's statuses:
 * no brand on a brand-scoped route → 54, no agent → 3.
 */
import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { asBrandId, type BrandId } from '@app/database';
import { AuthRequiredError, BrandContextRequiredError } from '@app/http';

/** The agent a verified, unrevoked `typ: "agent"` token names. */
export interface AgentPrincipal {
  agentId: number;
  account: string;
  /** The brand the token was minted for (the brand resolved at login). */
  tokenBrandId: number;
  jti: string;
  /** Expiry, unix seconds. */
  exp: number;
}

export interface AgentRawRequest extends IncomingMessage {
  brandId?: number | null;
  agent?: AgentPrincipal;
  /** Why a presented token was not accepted (for logs only). */
  agentAuthError?: string;
  /**
   * A refusal decided by an edge middleware (50, 7). Middleware cannot answer
   * through the envelope exception filter (it has no Fastify reply), so the
   * first guard rethrows it and the filter answers as for any handler.
   */
  edgeError?: unknown;
}

export function rawRequest(context: ExecutionContext): AgentRawRequest {
  const request = context.switchToHttp().getRequest<{ raw?: AgentRawRequest } & AgentRawRequest>();
  return request.raw ?? request;
}

/** The request brand (resolved from the domain); 54 when there is none (`off` mode, unknown domain). */
export function requestBrand(raw: AgentRawRequest): BrandId {
  if (raw.brandId === undefined || raw.brandId === null || raw.brandId <= 0)
    throw new BrandContextRequiredError();
  return asBrandId(raw.brandId);
}

export const RequestBrand = createParamDecorator((_data: unknown, context: ExecutionContext): BrandId =>
  requestBrand(rawRequest(context)),
);

export const CurrentAgent = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AgentPrincipal => {
    const agent = rawRequest(context).agent;
    if (!agent) throw new AuthRequiredError();
    return agent;
  },
);

/** The client address as Fastify computed it (the right-most X-Forwarded-For entry not added by a trusted proxy; see createHttpApp). */
export const ClientIp = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<{ ip?: string; raw?: IncomingMessage }>();
  return request.ip ?? request.raw?.socket?.remoteAddress ?? '';
});

/** The request id bound by the edge (X-Request-ID). */
export const RequestId = createParamDecorator((_data: unknown, context: ExecutionContext): string | null => {
  const request = context.switchToHttp().getRequest<{ id?: string }>();
  return typeof request.id === 'string' ? request.id : null;
});
