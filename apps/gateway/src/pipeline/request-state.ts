/**
 * gateway seed "request.state": what the pipeline steps learn about one
 * request (route, domain, brand, verified claims, the first rejection), kept
 * on the raw request object so that every step and the proxy handler share it
 * without a per-request DI scope (STYLE.md: no Scope.REQUEST).
 *
 * Steps never answer the client themselves: a step that rejects records the
 * typed error and the later steps skip; the proxy handler throws it, so the
 * one exception filter of the app renders every rejection (CONTRACTS §2).
 */
import type { IncomingMessage } from 'node:http';
import type { PlayerClaims } from '@app/auth';
import { labelRoute, requestIdFor } from '@app/observability';
import type { ThrottlerStorageRecord } from '../rate-limit/redis-throttler.storage';
import { matchRoute, type RouteMatch } from '../routing/routes';

export interface GatewayState {
  /** X-Request-ID (CONTRACTS §3), for downstream calls and log lines. */
  requestId: string;
  route: RouteMatch | null;
  /** The request domain (`Origin` host, else `Host`), lowercased, without port. */
  domain: string | null;
  /** The brand resolved from the domain; null when unresolved (off mode) or not resolved (provider routes). */
  brandId: number | null;
  claims: PlayerClaims | null;
  /** The first rejection of the pipeline; the proxy handler throws it. */
  error: Error | null;
  /**
   * A missing or replaced session, recorded by the session step and applied
   * by the brand-enforcement step right after it, so that a token minted for
   * another brand is decided by the brand check first (enforce answers 51,
   * observe counts the mismatch) even when the domain brand has no session.
   */
  sessionError: Error | null;
  /** Rate-limit hit fetched in the session step's Redis round trip. */
  rateLimit: ThrottlerStorageRecord | null;
}

/** The `next` callback a pipeline step gets. */
export type Next = (error?: unknown) => void;

const STATE = Symbol('gateway.state');

type Carrier = IncomingMessage & { [STATE]?: GatewayState; originalUrl?: string };

/** The state of a raw request, created on first access from its original URL. */
export function stateOf(req: IncomingMessage): GatewayState {
  const carrier = req as Carrier;
  let state = carrier[STATE];
  if (!state) {
    // Middleware may see a path-stripped `url`; middie keeps the original.
    const url = carrier.originalUrl ?? req.url ?? '/';
    state = {
      requestId: requestIdFor(req),
      route: matchRoute(req.method ?? 'GET', url),
      domain: null,
      brandId: null,
      claims: null,
      error: null,
      sessionError: null,
      rateLimit: null,
    };
    carrier[STATE] = state;
    // One catch-all Fastify route serves every family: label the HTTP metrics by family instead.
    labelRoute(req, state.route?.template ?? 'unmatched');
  }
  return state;
}

/**
 * `request_id` and `brand_id` for a request-path log line. The gateway runs no
 * request context (see @app/observability context.ts), so its log lines carry
 * these themselves (ADR-009 "Structured logs include brand_id").
 */
export function logFields(req: IncomingMessage): { request_id: string; brand_id: number | null } {
  const state = stateOf(req);
  return { request_id: state.requestId, brand_id: state.brandId };
}

/** True when the step has work to do: a routed request that no earlier step rejected. */
export function isLive(state: GatewayState): state is GatewayState & { route: RouteMatch } {
  return state.route !== null && state.error === null;
}

/** Records a rejection unless an earlier step already did (the first one wins). */
export function reject(state: GatewayState, error: unknown): void {
  state.error ??= error instanceof Error ? error : new Error(String(error));
}
