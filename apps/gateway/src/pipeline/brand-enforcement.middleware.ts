/**
 * ADR-009 "JWT carries brand_id; gateway checks jwt.brand_id ==
 * request.state.brand_id" + issue 3 point 6, decided by BrandEnforcement
 * (CONTRACTS §11): off passes; observe counts
 * `brand_resolution_failed_total{reason="jwt_brand_mismatch"}` and goes on
 * with the domain brand; enforce rejects with 51. The forwarded brand is
 * always the domain's, never the token's. A missing session found by the
 * previous step is applied here, after the brand check, so a token of another
 * brand answers 51 in enforce even though the domain brand holds no session
 * for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { BrandEnforcement } from '@app/brand-context';
import { isLive, logFields, type Next, reject, stateOf } from './request-state';

@Injectable()
export class BrandEnforcementMiddleware implements NestMiddleware {
  constructor(private readonly enforcement: BrandEnforcement) {}

  use(req: IncomingMessage, _res: ServerResponse, next: Next): void {
    const state = stateOf(req);
    const claims = state.claims;
    if (isLive(state) && claims !== null && state.brandId !== null && claims.brand_id !== state.brandId) {
      try {
        this.enforcement.mismatch('jwt_brand_mismatch', {
          request_id: logFields(req).request_id,
          expectedBrandId: state.brandId,
          actualBrandId: claims.brand_id,
          domain: state.domain,
        });
      } catch (err) {
        reject(state, err);
      }
    }
    // The session verdict of the previous step: after the brand check, so 51 wins over 3.
    if (state.sessionError) reject(state, state.sessionError);
    next();
  }
}
