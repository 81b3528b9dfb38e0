/**
 * How the admin socket authenticates its token: exactly like the admin HTTP
 * routes (seed 004 "Operator identity"), through the admin auth module's
 * AdminIdentityService: RS256 admin JWT (CONTRACTS §5), `admin_id` required
 * (require_operator_id), and the operator must exist and be enabled.
 */
import type { Provider } from '@nestjs/common';
import { AdminIdentityService } from '../auth';

export const ADMIN_WS_TOKEN_VERIFIER = Symbol('ADMIN_WS_TOKEN_VERIFIER');

export interface AdminWsIdentity {
  adminId: number;
  /** Token expiry, unix seconds. */
  exp: number;
}

export interface AdminWsTokenVerifier {
  /** Resolves the operator or rejects (never logs the token). */
  verify(token: string): Promise<AdminWsIdentity>;
}

export const adminWsTokenVerifierProvider: Provider = {
  provide: ADMIN_WS_TOKEN_VERIFIER,
  inject: [AdminIdentityService],
  useFactory: (identities: AdminIdentityService): AdminWsTokenVerifier => ({
    verify: async (token) => {
      const identity = await identities.authenticate(token);
      return { adminId: identity.operatorId, exp: identity.claims.exp };
    },
  }),
};
