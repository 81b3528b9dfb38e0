/**
 * bench:login (issue 4 acceptance): logins per second and p99 latency of the
 * player login path with the password KDF included, and the KDF parameters
 * in use.
 *
 * Method: a fresh database set up and migrated by the CLI (`db:setup`,
 * `migrate`); the built `dist/apps/player/main.js` started as a real process
 * as the app role, so row-level security applies (observe mode, per-caller
 * gateway token); BENCH_PLAYERS players registered through the
 * API; then autocannon POSTs /internal/players/login for BENCH_SECONDS with
 * BENCH_CONNECTIONS connections, rotating over the players. Every request
 * runs the whole path: brand policy, lockout counter read, scrypt verify,
 * RS256 signing, last_login_at update + player_login_log insert, and the
 * session key SET. Only 200 answers count. The KDF parameters are read
 * back from a stored hash, and one scrypt derivation with those
 * parameters is timed alone for reference.
 *
 * Env: BENCH_DATABASE_URL (a superuser on the server; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379/13), BENCH_PLAYERS (20),
 * BENCH_SECONDS (10), BENCH_CONNECTIONS (8).
 */
'use strict';
const { createHmac, randomBytes, scrypt } = require('node:crypto');
const autocannon = require('autocannon');
const Redis = require('ioredis');
const { Pool } = require('pg');
const { dropDatabase, freshDatabase, startApp } = require('../shared');

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const DB_NAME = 'servers_v2_bench_login';
const TOKEN = 'bench-gateway-token';
const PASSWORD = 'bench-password-1';
const HEADERS = { 'content-type': 'application/json', 'x-caller-service': 'gateway', 'x-internal-service-token': TOKEN, 'x-brand-id': '1' };

function timeScrypt({ N, r, p }) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) =>
    scrypt(createHmac('sha256', 'pepper').update(PASSWORD).digest(), randomBytes(16), 32, { N, r, p, maxmem: 256 * N * r * p }, (err) =>
      err ? reject(err) : resolve(Number(process.hrtime.bigint() - started) / 1e6),
    ),
  );
}

async function main() {
  const { ownerUrl, appUrl } = await freshDatabase(SERVER, DB_NAME);
  // The owner reads the stored hash back (it sees every brand); the app serves as the app role.
  const pool = new Pool({ connectionString: ownerUrl, max: 1 });
  const app = await startApp('player', {
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: appUrl,
    REDIS_URL,
    INTERNAL_SERVICE_TOKEN_GATEWAY: TOKEN,
    PASSWORD_SALT: 'bench-pepper',
  });
  try {
    const accounts = [];
    for (let i = 0; i < PLAYERS; i += 1) {
      const account = `bench_${i}`;
      const res = await fetch(`${app.url}/internal/players/register`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ account, password: PASSWORD }) });
      if (res.status !== 200) throw new Error(`register failed: ${await res.text()}`);
      accounts.push(account);
    }
    const { rows } = await pool.query(`SELECT password_hash FROM player LIMIT 1`);
    const match = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$/.exec(rows[0].password_hash);
    const kdf = { algorithm: 'scrypt', N: Number(match[1]), r: Number(match[2]), p: Number(match[3]), key_bytes: 32, salt_bytes: 16, pepper: 'HMAC-SHA256(PASSWORD_SALT)' };
    const single = [];
    for (let i = 0; i < 10; i += 1) single.push(await timeScrypt(kdf));
    single.sort((a, b) => a - b);

    let next = 0;
    const result = await autocannon({
      url: app.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          path: '/internal/players/login',
          headers: HEADERS,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ account: accounts[next++ % accounts.length], password: PASSWORD }) }),
        },
      ],
    });
    const ok = result['2xx'];
    const summary = {
      kdf,
      kdf_single_derivation_ms_median: Number(single[Math.floor(single.length / 2)].toFixed(1)),
      connections: CONNECTIONS,
      seconds: SECONDS,
      logins_ok: ok,
      non_2xx: result.non2xx,
      errors: result.errors,
      logins_per_s: Number((ok / SECONDS).toFixed(1)),
      latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.stdout.write(
      `login: ${summary.logins_per_s} logins/s, p99 ${summary.latency_ms.p99} ms (${CONNECTIONS} connections, ${SECONDS} s); KDF scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p}, one derivation ${summary.kdf_single_derivation_ms_median} ms\n`,
    );
    if (summary.non_2xx > 0 || summary.errors > 0) process.exitCode = 1;
  } finally {
    await app.stop();
    // Leave the bench Redis database as it was: drop the session keys the logins opened.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys('user-session:brand:1:bench_*');
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await pool.end();
    await dropDatabase(SERVER, DB_NAME);
  }
}

main().catch((err) => {
  process.stderr.write(`bench:login failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
