'use strict';
/**
 * What the gateway benches share: child processes, the seeded brand domain
 * and player session, a signed player JWT and the gateway's environment.
 * Plain Node (CommonJS); nothing here is imported by the apps.
 */
const { spawn } = require('node:child_process');
const { createSign, generateKeyPairSync, randomBytes, randomUUID } = require('node:crypto');
const path = require('node:path');
const Redis = require('ioredis');
const { freePort } = require('../shared');

const ROOT = path.resolve(__dirname, '..', '..');
const GATEWAY_MAIN = path.join(ROOT, 'dist', 'apps', 'gateway', 'main.js');
const DOUBLE = path.join(__dirname, 'double.js');
const REFERENCE_PROXY = path.join(__dirname, 'reference-proxy.js');

/**
 * Spawns `command args` (node by default) and resolves with its port once
 * `ready(output)` returns one, and `output()`, everything it has written so
 * far; children are recorded in `children` so the caller can stop them all.
 * A child that is not ready after `timeoutMs` fails the start.
 */
function start(name, args, env, ready, children, command = process.execPath, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      out += chunk.toString();
      if (started) return;
      const port = ready(out);
      if (port) {
        started = true;
        clearTimeout(timer);
        resolve({ child, port, output: () => out });
      }
    });
    child.stderr.on('data', (chunk) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}):\n${out}`)));
  });
}

function stopAll(children) {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}

/** The port a double or the reference proxy prints ("listening <port>"). */
const listeningPort = (out) => Number((/listening (\d+)/.exec(out) || [])[1]) || null;

function b64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function signPlayerToken(privateKey, kid, claims) {
  const input = `${b64url({ alg: 'RS256', typ: 'JWT', kid })}.${b64url(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
  return `${input}.${signature}`;
}

/**
 * A brand domain and a logged-in player: the domain map entry and the
 * brand-prefixed session in Redis, and a player JWT that matches them.
 * `cleanup()` deletes both keys and closes the connection.
 */
async function seedPlayer(redisUrl) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${randomBytes(4).toString('hex')}`;
  const host = `bench-${randomBytes(4).toString('hex')}.example.test`;
  const brandId = 1;
  const account = `bench-${randomBytes(4).toString('hex')}`;
  const jti = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const jwt = signPlayerToken(privateKey, kid, {
    sub: '42',
    typ: 'player',
    account,
    brand_id: brandId,
    jti,
    iat: now,
    exp: now + 3600,
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const keys = [`domain:agent:${host}`, `user-session:brand:${brandId}:${account}`];
  await redis.set(keys[0], JSON.stringify({ agent_id: 1, brand_id: brandId }), 'EX', 3600);
  await redis.set(keys[1], JSON.stringify({ jti, player_id: 42 }), 'EX', 3600);
  return {
    kid,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    host,
    jwt,
    // The browser's Origin carries the brand domain (autocannon owns the Host header).
    headers: { origin: `https://${host}`, authorization: `Bearer ${jwt}` },
    cleanup: async () => {
      await redis.del(...keys).catch(() => undefined);
      redis.disconnect();
    },
  };
}

/** The gateway's environment for the benches: enforce mode, the player service at `doubleUrl`, a limit that never triggers. */
function gatewayEnv({ port, redisUrl, doubleUrl, player, logLevel = 'warn' }) {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    MULTI_BRAND_ENFORCEMENT: 'enforce',
    LOG_LEVEL: logLevel,
    REDIS_URL: redisUrl,
    PLAYER_SERVICE_URL: doubleUrl,
    JWT_PUBLIC_KEYS: JSON.stringify({ [player.kid]: player.publicKeyPem }),
    JWT_KID: player.kid,
    INTERNAL_SERVICE_TOKEN_GATEWAY: `bench-token-${randomBytes(8).toString('hex')}`,
    RATE_LIMIT_PER_MINUTE: '1000000',
    DOMAIN_CACHE_TTL_SECONDS: '5',
  };
}

module.exports = {
  DOUBLE,
  GATEWAY_MAIN,
  REFERENCE_PROXY,
  ROOT,
  freePort,
  gatewayEnv,
  listeningPort,
  seedPlayer,
  start,
  stopAll,
};
