/**
 * The protection every player_service route shares (seed 000 "Protection
 * model"; ADR-009): the gateway's per-caller internal token first, then the
 * required X-Brand-Id (54 when missing), then, on authenticated player
 * routes, the identity headers (3 when missing). One decorator per shape so
 * the guard order cannot be changed by decorator stacking: only a verified
 * caller may set the brand and the identity headers.
 */
import { applyDecorators, UseGuards } from '@nestjs/common';
import { InternalCallers, InternalTokenGuard } from '@app/auth';
import { BrandHeaderGuard } from '@app/brand-context';
import { PlayerIdentityGuard } from './request-info';

export const GatewayOnly = () => applyDecorators(InternalCallers('gateway'), UseGuards(InternalTokenGuard, BrandHeaderGuard));

export const GatewayPlayer = () =>
  applyDecorators(InternalCallers('gateway'), UseGuards(InternalTokenGuard, BrandHeaderGuard, PlayerIdentityGuard));
