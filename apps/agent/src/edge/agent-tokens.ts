/**
 * Agent JWTs (CONTRACTS §5, ADR-009 "JWT signing"): agent_service holds the
 * RS256 private key and mints `typ: "agent"` tokens whose `brand_id` is the
 * brand resolved at login; it verifies agent tokens against JWT_PUBLIC_KEYS
 * (its own key is always accepted). Outside production a process started
 * without a key uses an ephemeral dev key pair and says so loudly; in
 * production the boot guards refuse to start first.
 */
import { Logger } from '@nestjs/common';
import { type AgentClaims, devKeyPair, type IssuedToken, JwtIssuer, JwtVerifier } from '@app/auth';
import { type AgentConfig, parsePublicKeys, unescapePem } from '@app/config';

export class AgentTokens {
  private readonly issuer: JwtIssuer;
  private readonly verifier: JwtVerifier;

  constructor(
    config: Pick<AgentConfig, 'JWT_PRIVATE_KEY' | 'JWT_KID' | 'JWT_PUBLIC_KEYS' | 'JWT_EXPIRE_MIN'>,
    service: string,
  ) {
    const expiresInSeconds = config.JWT_EXPIRE_MIN * 60;
    if (config.JWT_PRIVATE_KEY && config.JWT_KID) {
      this.issuer = new JwtIssuer({
        privateKeyPem: unescapePem(config.JWT_PRIVATE_KEY),
        kid: config.JWT_KID,
        expiresInSeconds,
      });
    } else {
      const pair = devKeyPair();
      new Logger('AgentTokens').warn(
        { kid: pair.kid },
        'JWT_PRIVATE_KEY is not set: signing agent tokens with an EPHEMERAL dev key (non-production only); tokens die with this process',
      );
      this.issuer = new JwtIssuer({ privateKeyPem: pair.privateKeyPem, kid: pair.kid, expiresInSeconds });
    }
    const keys = new Map(parsePublicKeys(config.JWT_PUBLIC_KEYS));
    if (!keys.has(this.issuer.kid)) keys.set(this.issuer.kid, this.issuer.publicKeyPem);
    this.verifier = new JwtVerifier({ publicKeys: keys, service });
  }

  get kid(): string {
    return this.issuer.kid;
  }

  issue(agentId: number, account: string, brandId: number): Promise<IssuedToken> {
    return this.issuer.signAgent({ agentGuid: agentId, account, brandId });
  }

  /** Throws JwtRejectedError (status 3) for anything but a valid agent token. */
  verify(token: string): Promise<AgentClaims> {
    return this.verifier.verify(token, 'agent');
  }

  /** The issuer, for the recovery reset tokens this service mints. */
  get jwtIssuer(): JwtIssuer {
    return this.issuer;
  }

  get jwtVerifier(): JwtVerifier {
    return this.verifier;
  }
}
