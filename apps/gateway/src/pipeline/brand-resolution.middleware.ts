/**
 * gateway seed "Multi-Brand Constraints" + issue 3 point 3: the brand of a
 * player request comes from its domain only. Inbound `X-Brand-Id` (and the
 * identity headers the gateway itself sets) are stripped first, so a client
 * can never choose its brand or identity; the domain is `Origin` first, then
 * `Host` (`extractDomain`), looked up in `domain:agent:{host}` /
 * `domain:level:{host}` (in-process cache of hits). An unresolved domain is
 * handled per CONTRACTS §11 by BrandEnforcement (off: forwarded without a
 * brand; observe/enforce: 50). Redis down → status 7: no request is served
 * as an unknown brand. Runs before JWT auth so the session key is brand-prefixed
 * (T7-B5 / T8-D2).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import {
  type BrandCarrier,
  BrandContextService,
  BrandEnforcement,
  type DomainBinding,
  DomainMapResolver,
  DomainMapUnavailableError,
  extractDomain,
} from '@app/brand-context';
import { DownstreamUnavailableError } from '@app/http';
import { type GatewayState, isLive, logFields, type Next, reject, stateOf } from './request-state';

/** Headers only the gateway may set on a forwarded request. */
export const GATEWAY_OWNED_HEADERS = [
  'x-brand-id',
  'x-player-id',
  'x-player-account',
  'x-session-jti',
  'x-request-domain',
] as const;

@Injectable()
export class BrandResolutionMiddleware implements NestMiddleware {
  constructor(
    private readonly domains: DomainMapResolver,
    private readonly brands: BrandContextService,
    private readonly enforcement: BrandEnforcement,
  ) {}

  /** Synchronous when the step has nothing to resolve or the domain is cached in process. */
  use(req: IncomingMessage & BrandCarrier, _res: ServerResponse, next: Next): void | Promise<void> {
    const state = stateOf(req);
    if (!isLive(state)) return next();
    // Looked up before deleting: clients rarely send these, and a delete costs more than a lookup.
    for (const name of GATEWAY_OWNED_HEADERS) if (req.headers[name] !== undefined) delete req.headers[name];
    if (!state.route.resolvesBrand) return next();
    const domain = extractDomain(req.headers);
    state.domain = domain;
    const cached = domain ? this.domains.cached(domain) : undefined;
    if (cached !== undefined) {
      this.bind(req, state, cached);
      return next();
    }
    return this.resolve(req, state, next);
  }

  private async resolve(req: IncomingMessage & BrandCarrier, state: GatewayState, next: Next): Promise<void> {
    const domain = state.domain;
    try {
      this.bind(req, state, domain ? await this.domains.resolve(domain) : null);
    } catch (err) {
      const unavailable = err instanceof DomainMapUnavailableError;
      reject(state, unavailable ? new DownstreamUnavailableError('brand resolution unavailable') : err);
    }
    next();
  }

  private bind(
    req: IncomingMessage & BrandCarrier,
    state: GatewayState,
    binding: DomainBinding | null,
  ): void {
    const domain = state.domain;
    if (binding) {
      state.brandId = binding.brandId;
      const { brandId, agentId, level } = binding;
      this.brands.set({ brandId, source: 'domain', domain, agentId, level }, req);
    } else {
      this.enforcement.unresolvedDomain({ domain, request_id: logFields(req).request_id });
      this.brands.set({ brandId: null, source: 'none', domain }, req);
    }
  }
}
