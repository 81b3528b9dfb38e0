/**
 * agent_service guards, run in this order after the middleware pipeline
 * (seed 001, CONTRACTS §11):
 * 1. AgentAuthGuard: first rethrows a refusal an edge middleware decided
 *    (unresolved domain 50, Redis down 7); then every route but the @public
 *    ones needs a valid agent
 *    token (status 3, HTTP 200 on this frontend surface); a token minted for
 *    another brand than the request domain's is a brand mismatch
 *    (off passes, observe counts and uses the request brand, enforce 51).
 * 2. AgentBrandGuard: the authenticated agent must be enabled for the
 *    request brand in agent_brand (off passes, observe counts, enforce 52).
 *    It runs on every request, so an active JWT survives a revocation but
 *    the next request after it is refused.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BrandEnforcement } from '@app/brand-context';
import { asBrandId } from '@app/database';
import { AuthRequiredError } from '@app/http';
import { IS_PUBLIC } from '../http/route';
import { AgentBrandAllowList } from './agent-brand-allow-list';
import { rawRequest } from './request-context';

/**
 * True for @public agent routes and for framework routes that are not agent
 * routes at all (`/health`, `/metrics`: never authenticated, CONTRACTS §8).
 */
function isPublic(reflector: Reflector, context: ExecutionContext): boolean {
  const flag = reflector.get<boolean | undefined>(IS_PUBLIC, context.getHandler());
  return flag === undefined || flag;
}

@Injectable()
export class AgentAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly enforcement: BrandEnforcement,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const raw = rawRequest(context);
    if (raw.edgeError !== undefined) throw raw.edgeError;
    if (isPublic(this.reflector, context)) return true;
    if (!raw.agent) throw new AuthRequiredError();
    const brandId = raw.brandId ?? null;
    if (brandId !== null && raw.agent.tokenBrandId !== brandId) {
      this.enforcement.mismatch('jwt_brand_mismatch', {
        expectedBrandId: brandId,
        actualBrandId: raw.agent.tokenBrandId,
        agent_id: raw.agent.agentId,
      });
    }
    return true;
  }
}

@Injectable()
export class AgentBrandGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly enforcement: BrandEnforcement,
    private readonly allowList: AgentBrandAllowList,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || isPublic(this.reflector, context)) return true;
    if (this.enforcement.mode === 'off') return true;
    const raw = rawRequest(context);
    // No agent: AgentAuthGuard already refused. No brand: the route answers 54.
    if (!raw.agent || !raw.brandId) return true;
    const brandId = asBrandId(raw.brandId);
    if (!(await this.allowList.isEnabled(raw.agent.agentId, brandId))) {
      this.enforcement.notAllowed('agent_brand_not_allowed', { brandId, agent_id: raw.agent.agentId });
    }
    return true;
  }
}
