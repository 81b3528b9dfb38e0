import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenType } from './jwt.types';

/**
 * RS256 JWT issuance (ADR-009 "JWT signing"; CONTRACTS §5): the header is
 * always `{alg: "RS256", typ: "JWT", kid}`, every token carries `typ`, `jti`,
 * `iat` and `exp`, and the typed helpers below are the only claim shapes the
 * player, agent and admin services mint. The private key is parsed once.
 */

export interface JwtIssuerOptions {
  privateKeyPem: string;
  kid: string;
  /** Default lifetime (JWT_EXPIRE_MIN × 60). */
  expiresInSeconds: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

export interface SignOptions {
  typ: TokenType;
  expiresInSeconds?: number;
  /** Defaults to a random UUID. */
  jti?: string;
}

export interface IssuedToken {
  token: string;
  jti: string;
  /** Lifetime in seconds. */
  expiresIn: number;
  /** Expiry, unix seconds. */
  exp: number;
}

function assertLifetime(seconds: number): void {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new RangeError('token lifetime must be a positive integer number of seconds');
  }
}

function assertId(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
}

export class JwtIssuer {
  readonly kid: string;
  private readonly key: KeyObject;
  private readonly expiresInSeconds: number;
  private readonly now: () => number;

  constructor(options: JwtIssuerOptions) {
    if (!options.kid || options.kid.trim() === '') throw new Error('JWT kid is required');
    const key = createPrivateKey(options.privateKeyPem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('JWT private key must be an RSA key');
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw new Error('JWT private key must be at least 2048 bits');
    assertLifetime(options.expiresInSeconds);
    this.key = key;
    this.kid = options.kid;
    this.expiresInSeconds = options.expiresInSeconds;
    this.now = options.now ?? Date.now;
  }

  /** The matching public key, e.g. to add a dev key pair to the verifier's key map. */
  get publicKeyPem(): string {
    return createPublicKey(this.key).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Signs `claims` plus `typ`, `jti`, `iat`, `exp`; those four always come from here, never from `claims`. */
  async sign(claims: Record<string, unknown>, options: SignOptions): Promise<IssuedToken> {
    const expiresIn = options.expiresInSeconds ?? this.expiresInSeconds;
    assertLifetime(expiresIn);
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + expiresIn;
    const jti = options.jti ?? randomUUID();
    const token = await new SignJWT({ ...claims, typ: options.typ, jti, iat, exp })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .sign(this.key);
    return { token, jti, expiresIn, exp };
  }

  signPlayer(input: {
    playerId: number | string;
    account: string;
    brandId: number;
    jti?: string;
  }): Promise<IssuedToken> {
    assertId(input.brandId, 'brandId');
    return this.sign(
      { sub: String(input.playerId), account: input.account, brand_id: input.brandId },
      { typ: 'player', jti: input.jti },
    );
  }

  signAgent(input: {
    agentGuid: number | string;
    account: string;
    brandId: number;
    jti?: string;
  }): Promise<IssuedToken> {
    assertId(input.brandId, 'brandId');
    return this.sign(
      { sub: String(input.agentGuid), account: input.account, brand_id: input.brandId },
      { typ: 'agent', jti: input.jti },
    );
  }

  signAdmin(input: { adminId: number; jti?: string }): Promise<IssuedToken> {
    assertId(input.adminId, 'adminId');
    return this.sign({ admin_id: input.adminId }, { typ: 'admin', jti: input.jti });
  }

  /** Recovery reset token: `exp` = RECOVERY_TOKEN_TTL_MINUTES; the `jti` is what makes it single use. */
  signRecovery(input: {
    subjectType: 'player' | 'agent';
    sub: number | string;
    brandId: number;
    ttlSeconds: number;
    jti?: string;
  }): Promise<IssuedToken> {
    assertId(input.brandId, 'brandId');
    return this.sign(
      { subject_type: input.subjectType, sub: String(input.sub), brand_id: input.brandId },
      { typ: 'recovery', expiresInSeconds: input.ttlSeconds, jti: input.jti },
    );
  }
}
