/**
 * Admin JWT keys (ADR-009 "JWT signing", T6-B1/T7-B4; CONTRACTS §5): admin
 * mints RS256 operator tokens with JWT_PRIVATE_KEY + JWT_KID and verifies
 * inbound ones against the JWT_PUBLIC_KEYS allow list. Outside production a
 * process without keys gets an ephemeral dev pair and a loud warning; in
 * production the boot guards refuse to start first.
 */
import { Logger } from '@nestjs/common';
import { type AdminConfig, parsePublicKeys, unescapePem } from '@app/config';
import { devKeyPair, JwtIssuer, JwtVerifier } from '@app/auth';

export interface AdminJwtKeys {
  issuer: JwtIssuer;
  verifier: JwtVerifier;
}

export function buildAdminJwt(config: AdminConfig, production: boolean, service: string): AdminJwtKeys {
  const expiresInSeconds = config.JWT_EXPIRE_MIN * 60;
  const publicKeys = new Map(parsePublicKeys(config.JWT_PUBLIC_KEYS));
  let issuer: JwtIssuer;
  if (config.JWT_PRIVATE_KEY && config.JWT_KID) {
    issuer = new JwtIssuer({
      privateKeyPem: unescapePem(config.JWT_PRIVATE_KEY),
      kid: config.JWT_KID,
      expiresInSeconds,
    });
  } else {
    if (production) throw new Error('JWT_PRIVATE_KEY and JWT_KID are required in production');
    const pair = devKeyPair();
    issuer = new JwtIssuer({ privateKeyPem: pair.privateKeyPem, kid: pair.kid, expiresInSeconds });
    new Logger('AdminJwt').warn(
      { kid: pair.kid },
      'JWT_PRIVATE_KEY is not set: admin tokens are signed with an ephemeral dev key (non-production only)',
    );
  }
  // Without a configured allow list (non-production) admin accepts the tokens it mints itself.
  if (publicKeys.size === 0 && !production) publicKeys.set(issuer.kid, issuer.publicKeyPem);
  return { issuer, verifier: new JwtVerifier({ publicKeys, service }) };
}
