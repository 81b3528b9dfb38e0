/**
 * agent_service edge, step 1 after the request id (seed 001 / ADR-009): the
 * agent frontend's brand comes from the request domain (Origin host, then
 * Host) through the `domain:agent:{host}` / `domain:level:{host}` maps. Any
 * inbound `X-Brand-Id` is stripped before the resolved value is injected, so
 * a client can never choose its brand. A domain that maps to no brand is
 * handled per CONTRACTS §11 (off: continue brandless; observe/enforce: 50).
 * A Redis failure fails closed (status 7), never "no brand". Refusals are
 * left on the request for the first guard to throw (see `edgeError`).
 */
import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { BrandContextService, BrandEnforcement, DomainMapResolver, extractDomain } from '@app/brand-context';
import { DownstreamUnavailableError } from '@app/http';
import type { AgentRawRequest } from './request-context';

@Injectable()
export class AgentBrandResolutionMiddleware implements NestMiddleware {
  private readonly logger = new Logger('BrandResolution');

  constructor(
    private readonly resolver: DomainMapResolver,
    private readonly enforcement: BrandEnforcement,
    private readonly brands: BrandContextService,
  ) {}

  async use(req: AgentRawRequest, _res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    try {
      await this.resolve(req);
    } catch (err) {
      req.edgeError = err;
    }
    next();
  }

  private async resolve(req: AgentRawRequest): Promise<void> {
    delete req.headers['x-brand-id'];
    const domain = extractDomain(req.headers);
    let binding = null;
    if (domain !== null) {
      try {
        binding = await this.resolver.resolve(domain);
      } catch (err) {
        this.logger.error({
          reason: 'domain_map_unavailable',
          domain,
          err: err instanceof Error ? err.message : String(err),
        });
        throw new DownstreamUnavailableError('brand resolution unavailable');
      }
    }
    if (binding === null) {
      this.brands.set({ brandId: null, source: 'none', domain }, req);
      this.enforcement.unresolvedDomain({ domain });
      return;
    }
    req.headers['x-brand-id'] = String(binding.brandId);
    this.brands.set({ brandId: binding.brandId, source: 'domain', domain, agentId: binding.agentId }, req);
  }
}
