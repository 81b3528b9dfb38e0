'use strict';
/**
 * Gateway benchmark by instruction count: how many user-space CPU
 * instructions (b) the reference proxy and (c) the built gateway execute per
 * request, counted by `valgrind --tool=callgrind`. CPU time varies by ±15%
 * from round to round on a shared VM; the proxy's count repeats within 2% and
 * the gateway's within about 11% (its timers do work that grows with the wall
 * time callgrind takes), so run it more than once for a change worth a few
 * percent. System calls (the kernel's share) are not counted; both servers
 * make the same ones.
 *
 * Method: each server runs under callgrind twice, once for a short and once
 * for a long load (warm-up included), and the difference of the two totals
 * divided by the difference in requests is the cost of one request: boot and
 * shutdown cancel out. Same scenarios as bench:gateway (the authenticated
 * `GET /api/v1/user/info` for (c)), at 10 connections; callgrind makes the
 * servers about 50 times slower, so this takes several minutes.
 *
 * Run: `npm run bench:gateway:instructions` (needs valgrind).
 * Env: BENCH_REQUESTS (3000: the long run has this many more requests than
 * the short one), BENCH_REDIS_URL (redis://127.0.0.1:6379/0).
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const {
  DOUBLE,
  GATEWAY_MAIN,
  REFERENCE_PROXY,
  freePort,
  gatewayEnv,
  listeningPort,
  seedPlayer,
  start,
  stopAll,
} = require('./fixture');

const REQUESTS = Number(process.env.BENCH_REQUESTS || 3000);
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/0';
const SHORT = 1000;
const CONNECTIONS = 10;

const children = [];

/** Instructions callgrind counted in every output file of one run (a forked child writes its own). */
function totalInstructions(dir, prefix) {
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(prefix))) {
    const match = /^(?:summary|totals): (\d+)/m.exec(readFileSync(path.join(dir, file), 'utf8'));
    if (match) total += Number(match[1]);
  }
  return total;
}

/** Boots `script` under callgrind, sends `requests` (plus half as many to warm up), stops it, returns the total. */
async function countedRun(dir, label, script, env, url, headers, requests) {
  const port = await freePort();
  const prefix = `${label}-${requests}.out`;
  const server = await start(
    label,
    ['--tool=callgrind', `--callgrind-out-file=${path.join(dir, prefix)}`, process.execPath, script],
    { ...env(port), PORT: String(port) },
    (out) => (/listening/.test(out) ? port : null),
    children,
    'valgrind',
    // The gateway boots in about a minute under callgrind on a slow machine.
    300_000,
  );
  // Callgrind runs the servers ~50 times slower, and a cold server more so: autocannon's 10 s default
  // timeout failed a few of the first requests on a slower machine.
  const options = { url: url(port), connections: CONNECTIONS, headers, timeout: 120 };
  const warm = await autocannon({ ...options, amount: Math.ceil(requests / 2) });
  const run = await autocannon({ ...options, amount: requests });
  const bad = warm.non2xx + warm.errors + run.non2xx + run.errors;
  if (bad > 0) throw new Error(`${label}: ${bad} requests failed`);
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  // Under callgrind the gateway can miss the session cache's one-second PING deadline; the cache then
  // turns off and session checks go to Redis, a different (dearer) path: such a run is not comparable.
  const cacheOff = server
    .output()
    .split('\n')
    .filter((line) => line.includes('session cache off') && !line.includes('"reason":"shutdown"')).length;
  return {
    requests: warm.requests.total + run.requests.total,
    instructions: totalInstructions(dir, prefix),
    cacheOff,
  };
}

async function perRequest(dir, label, script, env, url, headers) {
  const short = await countedRun(dir, label, script, env, url, headers, SHORT);
  const long = await countedRun(dir, label, script, env, url, headers, SHORT + REQUESTS);
  const cacheOff = short.cacheOff + long.cacheOff;
  if (cacheOff > 0)
    process.stdout.write(
      `${label}: the session cache went off ${cacheOff} time(s) during the runs; this figure is not comparable\n`,
    );
  return (long.instructions - short.instructions) / (long.requests - short.requests);
}

async function main() {
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed');
  if (!existsSync(GATEWAY_MAIN))
    throw new Error('dist/apps/gateway/main.js is missing: run `npx nest build gateway` first');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-instructions-'));
  const player = await seedPlayer(REDIS_URL);
  try {
    const double = await start('double', [DOUBLE], { PORT: '0' }, listeningPort, children);
    const doubleUrl = `http://127.0.0.1:${double.port}`;
    process.stdout.write(
      `callgrind, ${CONNECTIONS} connections, ${REQUESTS} requests between the short and the long run, node ${process.version}\n`,
    );
    const proxy = await perRequest(
      dir,
      'proxy',
      REFERENCE_PROXY,
      () => ({ UPSTREAM_URL: doubleUrl }),
      (port) => `http://127.0.0.1:${port}/internal/players/info`,
      // The same client request as (c)'s, as in bench:gateway: a proxy relaying it reads and
      // forwards the Origin and the ~900-byte Authorization too.
      player.headers,
    );
    process.stdout.write(
      `(b) fastify proxy  ${Math.round(proxy).toLocaleString('en-US').padStart(9)} instructions/request\n`,
    );
    const gateway = await perRequest(
      dir,
      'gateway',
      GATEWAY_MAIN,
      (port) => gatewayEnv({ port, redisUrl: REDIS_URL, doubleUrl, player }),
      (port) => `http://127.0.0.1:${port}/api/v1/user/info`,
      player.headers,
    );
    process.stdout.write(
      `(c) gateway        ${Math.round(gateway).toLocaleString('en-US').padStart(9)} instructions/request\n`,
    );
    process.stdout.write(`c/b instructions per request ${(gateway / proxy).toFixed(2)}\n`);
  } finally {
    await player.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

main()
  .catch((err) => {
    process.stderr.write(`bench:gateway:instructions failed: ${err.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => stopAll(children));
