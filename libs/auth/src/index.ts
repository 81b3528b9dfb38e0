/**
 * @app/auth: ADR-009's authentication and integrity primitives (CONTRACTS §3
 * and §5): RS256 JWT issue/verify with kid allow list and rotation, per-caller
 * internal tokens with their Nest guard, signed X-Brand-Id, password hashing.
 */
export * from './jwt.types';
export { JwtIssuer } from './jwt-issuer';
export type { IssuedToken, JwtIssuerOptions, SignOptions } from './jwt-issuer';
export { JwtVerifier } from './jwt-verifier';
export type { JwtVerifierOptions } from './jwt-verifier';
export { JwtKeyRing, VerifierProvider, JWT_KEYS_CHANNEL } from './jwt-key-ring';
export type { JwtKeyRingOptions, KeyChangeSubscriber, KeyRingLogger } from './jwt-key-ring';
export { devKeyPair } from './dev-keys';
export type { DevKeyPair } from './dev-keys';
export {
  InternalTokenVerifier,
  InternalTokenRejectedError,
  INTERNAL_TOKEN_HEADER,
  CALLER_SERVICE_HEADER,
} from './internal-token';
export type { HeaderBag, InternalTokenRejectReason, InternalTokenVerifierOptions } from './internal-token';
export {
  InternalTokenGuard,
  InternalCallers,
  CurrentCaller,
  INTERNAL_TOKEN_VERIFIER,
  INTERNAL_CALLERS_KEY,
} from './internal-token.guard';
export type { InternalRequest } from './internal-token.guard';
export {
  signBrand,
  verifyBrandSignature,
  brandSignaturePayload,
  BRAND_TIMESTAMP_HEADER,
  BRAND_SIGNATURE_HEADER,
  DEFAULT_BRAND_SKEW_SECONDS,
} from './brand-signature';
export type { BrandSignature, SignBrandInput, VerifyBrandSignatureInput } from './brand-signature';
export { PasswordHasher, DEFAULT_SCRYPT_PARAMS } from './password-hasher';
export type { PasswordHasherOptions, ScryptParams } from './password-hasher';
export { AgentSessions, agentActiveKey, agentDenyKey } from './agent-sessions';
