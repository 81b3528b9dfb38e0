import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { Metrics } from '@app/observability';
import { type ClaimsFor, JwtRejectedError, type JwtRejectReason, type TokenType } from './jwt.types';

/**
 * RS256-only JWT verification (ADR-009 "JWT signing"; CONTRACTS §5).
 *
 * The header is checked before any cryptography: `alg` must be exactly
 * RS256 (so `none`, HS*, ES*, PS* and the "HS256 keyed with the public PEM"
 * confusion never reach a key), `kid` must be present and in the configured
 * allow list (`gateway_jwt_unknown_kid_total{service}` counts misses). jose
 * then checks the signature under that kid's key only, requires `exp` and
 * rejects a past `exp`; finally the `typ` claim must be the audience the
 * caller expects and the claims must have the shape of §5.
 *
 * Public keys are parsed once, here; jose caches the derived CryptoKey per
 * KeyObject. Nothing in this module logs or echoes the token.
 */

export interface JwtVerifierOptions {
  /** kid → SPKI PEM (JWT_PUBLIC_KEYS, parsed by @app/config). */
  publicKeys: ReadonlyMap<string, string>;
  /** Metric label, e.g. `gateway`. */
  service: string;
  clockToleranceSeconds?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/** Bigger than any token we mint by two orders of magnitude; anything longer is refused unparsed. */
const MAX_TOKEN_LENGTH = 8192;

function reject(reason: JwtRejectReason): never {
  throw new JwtRejectedError(reason);
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isPositiveInt = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) > 0;

function hasExpectedShape(payload: JWTPayload, typ: TokenType): boolean {
  if (!isNonEmptyString(payload.jti)) return false;
  const claims = payload as Record<string, unknown>;
  switch (typ) {
    case 'player':
    case 'agent':
      return (
        isNonEmptyString(claims.sub) && isNonEmptyString(claims.account) && isPositiveInt(claims.brand_id)
      );
    case 'admin':
      return claims.admin_id === undefined || isPositiveInt(claims.admin_id);
    case 'recovery':
      return (
        (claims.subject_type === 'player' || claims.subject_type === 'agent') &&
        isNonEmptyString(claims.sub) &&
        (claims.brand_id === undefined || isPositiveInt(claims.brand_id))
      );
  }
}

function reasonFor(err: unknown): JwtRejectReason {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'exp' && err.reason === 'missing') return 'missing_exp';
    if (err.claim === 'nbf' || err.claim === 'iat') return 'not_yet_valid';
    return 'bad_claims';
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'bad_alg';
  return 'malformed';
}

export class JwtVerifier {
  private readonly keys = new Map<string, KeyObject>();
  private readonly service: string;
  private readonly clockTolerance: number;
  private readonly now?: () => number;

  constructor(options: JwtVerifierOptions) {
    for (const [kid, pem] of options.publicKeys) {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== 'rsa') throw new Error(`JWT public key "${kid}" is not an RSA key`);
      this.keys.set(kid, key);
    }
    this.service = options.service;
    this.clockTolerance = options.clockToleranceSeconds ?? 0;
    this.now = options.now;
  }

  /** The kids this verifier accepts (for /health and logs). */
  get kids(): string[] {
    return [...this.keys.keys()];
  }

  async verify<T extends TokenType>(token: string, expectedTyp: T): Promise<ClaimsFor<T>> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      reject('malformed');
    if (token.split('.').length !== 3) reject('malformed');

    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return reject('malformed');
    }
    if (header.alg !== 'RS256') reject('bad_alg');
    if (!isNonEmptyString(header.kid)) reject('missing_kid');
    const key = this.keys.get(header.kid);
    if (!key) {
      Metrics.jwtUnknownKid().inc({ service: this.service });
      return reject('unknown_kid');
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['RS256'],
        requiredClaims: ['exp'],
        clockTolerance: this.clockTolerance,
        currentDate: this.now ? new Date(this.now()) : undefined,
      }));
    } catch (err) {
      return reject(reasonFor(err));
    }

    if (payload.typ !== expectedTyp) reject('wrong_typ');
    if (!hasExpectedShape(payload, expectedTyp)) reject('bad_claims');
    return payload as unknown as ClaimsFor<T>;
  }
}
