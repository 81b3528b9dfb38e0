/**
 * player_service key material, built once from the validated config (seed 000
 * "Key Env Vars"; ADR-009 "JWT signing", "Internal service tokens"):
 * - the RS256 issuer (JWT_PRIVATE_KEY + JWT_KID). Outside production, with no
 *   key configured, an ephemeral dev key pair is generated with a loud
 *   warning (CONTRACTS §5); the boot guards refuse that case in production;
 * - the verifier for recovery reset tokens: JWT_PUBLIC_KEYS plus this
 *   process's own public key, so tokens it minted always verify here;
 * - the password hasher (scrypt, PASSWORD_SALT as pepper), the PII cipher
 *   (AES_KEY / AES_IV) and the per-caller internal-token verifier.
 */
import { Logger, type Provider } from '@nestjs/common';
import { APP_CONFIG, IS_PRODUCTION, type PlayerConfig, parsePublicKeys, SERVICE_NAME, unescapePem } from '@app/config';
import {
  devKeyPair,
  INTERNAL_TOKEN_VERIFIER,
  InternalTokenVerifier,
  JwtIssuer,
  JwtVerifier,
  PasswordHasher,
} from '@app/auth';
import { PiiCipher } from '@app/crypto';

export const RECOVERY_TOKEN_VERIFIER = Symbol('RECOVERY_TOKEN_VERIFIER');

const logger = new Logger('PlayerKeys');

export function buildIssuer(config: PlayerConfig, production: boolean): JwtIssuer {
  const expiresInSeconds = config.JWT_EXPIRE_MIN * 60;
  if (config.JWT_PRIVATE_KEY && config.JWT_KID) {
    return new JwtIssuer({ privateKeyPem: unescapePem(config.JWT_PRIVATE_KEY), kid: config.JWT_KID, expiresInSeconds });
  }
  if (production) throw new Error('JWT_PRIVATE_KEY and JWT_KID are required in production');
  const pair = devKeyPair();
  logger.warn({
    msg: 'JWT_PRIVATE_KEY is not set: signing with an EPHEMERAL development key; tokens die with this process and no other service can verify them',
    kid: pair.kid,
  });
  return new JwtIssuer({ privateKeyPem: pair.privateKeyPem, kid: pair.kid, expiresInSeconds });
}

export const SECURITY_PROVIDERS: Provider[] = [
  {
    provide: JwtIssuer,
    inject: [APP_CONFIG, IS_PRODUCTION],
    useFactory: (config: PlayerConfig, production: boolean) => buildIssuer(config, production),
  },
  {
    provide: RECOVERY_TOKEN_VERIFIER,
    inject: [APP_CONFIG, JwtIssuer, SERVICE_NAME],
    useFactory: (config: PlayerConfig, issuer: JwtIssuer, service: string) => {
      const keys = new Map(parsePublicKeys(config.JWT_PUBLIC_KEYS));
      if (!keys.has(issuer.kid)) keys.set(issuer.kid, issuer.publicKeyPem);
      return new JwtVerifier({ publicKeys: keys, service });
    },
  },
  {
    provide: PasswordHasher,
    inject: [APP_CONFIG],
    useFactory: (config: PlayerConfig) => new PasswordHasher({ pepper: config.PASSWORD_SALT ?? '' }),
  },
  {
    provide: PiiCipher,
    inject: [APP_CONFIG, IS_PRODUCTION, SERVICE_NAME],
    useFactory: (config: PlayerConfig, production: boolean, service: string) =>
      new PiiCipher({
        aesKey: config.AES_KEY,
        aesIv: config.AES_IV,
        strictDecrypt: config.AES_STRICT_DECRYPT === 'on',
        production,
        service,
        logger: new Logger('PiiCipher'),
      }),
  },
  {
    provide: INTERNAL_TOKEN_VERIFIER,
    inject: [APP_CONFIG, SERVICE_NAME],
    useFactory: (config: PlayerConfig, service: string) =>
      new InternalTokenVerifier({
        tokens: {
          gateway: config.INTERNAL_SERVICE_TOKEN_GATEWAY,
          agent: config.INTERNAL_SERVICE_TOKEN_AGENT,
          admin: config.INTERNAL_SERVICE_TOKEN_ADMIN,
          recon: config.INTERNAL_SERVICE_TOKEN_RECON,
          game: config.INTERNAL_SERVICE_TOKEN_GAME,
          promotion: config.INTERNAL_SERVICE_TOKEN_PROMOTION,
          rolling: config.INTERNAL_SERVICE_TOKEN_ROLLING,
        },
        legacyToken: config.INTERNAL_SERVICE_TOKEN,
        perCallerRequired: config.PER_CALLER_TOKEN_REQUIRED === 'on',
        service,
      }),
  },
];
