import { AuthRequiredError } from '@app/http';

/**
 * JWT claim shapes of CONTRACTS §5 (ADR-009 "JWT signing": RS256, kid, one
 * token type per audience) and the typed rejection every verifier throws.
 */

export const TOKEN_TYPES = ['player', 'agent', 'admin', 'recovery'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

interface BaseClaims {
  jti: string;
  iat?: number;
  exp: number;
}

export interface PlayerClaims extends BaseClaims {
  typ: 'player';
  /** The player id as a decimal string. */
  sub: string;
  account: string;
  brand_id: number;
}

export interface AgentClaims extends BaseClaims {
  typ: 'agent';
  /** The agent guid as a string. */
  sub: string;
  account: string;
  /** The brand resolved at login. */
  brand_id: number;
}

export interface AdminClaims extends BaseClaims {
  typ: 'admin';
  /**
   * Optional on purpose: seed 004 answers a verified admin token without
   * `admin_id` with 403 + `admin_operator_id_mismatch_total{reason="jwt_missing_claim"}`,
   * which only the admin service can do once the signature is known good.
   */
  admin_id?: number;
}

export interface RecoveryClaims extends BaseClaims {
  typ: 'recovery';
  subject_type: 'player' | 'agent';
  sub: string;
  /** Absent on tokens minted before brand-aware issuance; recovery then falls back to the domain brand. */
  brand_id?: number;
}

export type VerifiedClaims = PlayerClaims | AgentClaims | AdminClaims | RecoveryClaims;
export type ClaimsFor<T extends TokenType> = Extract<VerifiedClaims, { typ: T }>;

export type JwtRejectReason =
  | 'malformed'
  | 'bad_alg'
  | 'missing_kid'
  | 'unknown_kid'
  | 'bad_signature'
  | 'missing_exp'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_typ'
  | 'bad_claims';

/** An `AuthRequiredError` (status 3) carrying why the token was refused, for metrics and logs. */
export class JwtRejectedError extends AuthRequiredError {
  constructor(readonly reason: JwtRejectReason) {
    super();
  }
}
