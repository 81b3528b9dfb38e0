#!/usr/bin/env node
// Writes a development .env from .env.example: a fresh RS256 key pair (JWT_*),
// per-caller internal tokens, a brand signing key and dev PII keys. Never for
// production: real deployments take these from their secret store.
'use strict';
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');

const [src = '.env.example', dest = '.env'] = process.argv.slice(2);
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = `dev-${randomBytes(4).toString('hex')}`;
const esc = (pem) => pem.trim().replace(/\n/g, '\\n');
const token = () => randomBytes(24).toString('base64url');
const values = {
  JWT_PRIVATE_KEY: `"${esc(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())}"`,
  JWT_KID: kid,
  JWT_PUBLIC_KEYS: `'${JSON.stringify({ [kid]: publicKey.export({ type: 'spki', format: 'pem' }).toString() })}'`,
  BRAND_SIGNING_KEY: token(),
  AES_KEY: randomBytes(16).toString('hex'),
  AES_IV: randomBytes(8).toString('hex'),
  PASSWORD_SALT: token(),
};
for (const caller of ['GATEWAY', 'AGENT', 'ADMIN', 'RECON', 'GAME', 'PROMOTION', 'ROLLING']) {
  values[`INTERNAL_SERVICE_TOKEN_${caller}`] = token();
}
const out = readFileSync(src, 'utf8')
  .split('\n')
  .map((line) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    return m && values[m[1]] !== undefined ? `${m[1]}=${values[m[1]]}` : line;
  })
  .join('\n');
writeFileSync(dest, out, { mode: 0o600 });
console.log(`wrote ${dest} (JWT kid ${kid})`);
