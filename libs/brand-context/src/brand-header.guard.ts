import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BrandContextRequiredError } from '@app/http';
import { BrandContextService, type BrandCarrier } from './brand-context';
import { parseBrandIdHeader } from './parse';

export const BRAND_OPTIONAL = 'brand:optional';

/** Marks an internal route that may run without `X-Brand-Id` (it resolves the brand itself). */
export const BrandOptional = () => SetMetadata(BRAND_OPTIONAL, true);

/**
 * Internal surfaces (player, admin brand-scoped routes): the brand comes from
 * the trusted `X-Brand-Id` set by the edge. A brand-scoped route without a
 * positive id answers 54 in every mode (CONTRACTS §2, §11 "off" row).
 * Apply after the internal-token guard so only trusted callers set brands.
 */
@Injectable()
export class BrandHeaderGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly brands: BrandContextService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; raw?: BrandCarrier }>();
    const brandId = parseBrandIdHeader(req.headers['x-brand-id']);
    const optional = this.reflector.getAllAndOverride<boolean>(BRAND_OPTIONAL, [context.getHandler(), context.getClass()]);
    if (brandId === null && !optional) throw new BrandContextRequiredError();
    this.brands.set({ brandId, source: brandId === null ? 'none' : 'header', domain: null }, req.raw ?? (req as BrandCarrier));
    return true;
  }
}
