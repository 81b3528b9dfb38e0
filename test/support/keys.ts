import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** RS256 key pairs for tests: the JWT_* env of an issuer and of its verifiers. */
export interface TestKeyPair {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

export function makeKeyPair(kid = `test-${randomBytes(4).toString('hex')}`): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function jwtEnv(pair: TestKeyPair, extraPublic: TestKeyPair[] = []): Record<string, string> {
  const keys: Record<string, string> = { [pair.kid]: pair.publicKeyPem };
  for (const p of extraPublic) keys[p.kid] = p.publicKeyPem;
  return { JWT_PRIVATE_KEY: pair.privateKeyPem, JWT_KID: pair.kid, JWT_PUBLIC_KEYS: JSON.stringify(keys) };
}
