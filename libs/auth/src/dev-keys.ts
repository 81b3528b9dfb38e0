import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * Ephemeral RS256 key pair for non-production processes started without
 * JWT_PRIVATE_KEY / JWT_PUBLIC_KEYS (CONTRACTS §5). The caller decides when
 * this is allowed (never in production: the boot guards refuse first) and
 * logs the loud warning; tokens signed with it die with the process.
 */

export interface DevKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  /** `dev-<16 hex>`, so dev tokens are recognisable in logs and never collide with a real kid. */
  kid: string;
}

export function devKeyPair(): DevKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey, kid: `dev-${randomBytes(8).toString('hex')}` };
}
