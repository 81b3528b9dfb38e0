/**
 * Shared helpers of the player benchmarks (issue 4 acceptance: bench:outbox,
 * bench:login; issue #8: bench:rls). Plain Node (CommonJS) so a bench runs
 * the BUILT apps the way operators do (`node dist/apps/<app>/main.js`,
 * CONTRACTS §10) against a throw-away database set up and migrated by the
 * CLI, with the apps connected as the app role. Nothing here is imported by
 * the apps.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');
const { Client } = require('pg');

const ROOT = join(__dirname, '..');

function entry(app) {
  const file = join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: build it first (npx nest build ${app} cli)`);
  return file;
}

function quote(name) {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The two roles of issue #8 for benches (cluster-wide, created or corrected
 * by `db:setup` on every fresh database): the owner migrates and seeds
 * (BYPASSRLS, owns every table), the app role is what the benched apps
 * connect as, so row-level security costs what it costs in production (the
 * apps refuse to boot as anything else).
 */
const OWNER_ROLE = 'servers_v2_bench_owner';
const APP_ROLE = 'servers_v2_bench_app';

function databaseUrl(baseUrl, name, role) {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  if (role) {
    url.username = role;
    url.password = '';
  }
  return url.toString();
}

async function dropDatabase(baseUrl, name) {
  const client = new Client({ connectionString: databaseUrl(baseUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function runCli(command, env) {
  const run = spawnSync(process.execPath, [entry('cli'), command], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr || run.stdout}`);
}

/**
 * Drops `name` on the server of `baseUrl` (a superuser URL), then lets the
 * CLI do what an operator does on a new server: `db:setup` (the owner and app
 * roles, the database owned by the owner) and `migrate` (as the owner, then
 * GRANTs to the app role). Returns `{ ownerUrl, appUrl }`: give apps
 * `appUrl`; fixtures and probes use `ownerUrl` (it sees every brand).
 */
async function freshDatabase(baseUrl, name) {
  await dropDatabase(baseUrl, name);
  const ownerUrl = databaseUrl(baseUrl, name, OWNER_ROLE);
  const appUrl = databaseUrl(baseUrl, name, APP_ROLE);
  const env = {
    DATABASE_SUPERUSER_URL: databaseUrl(baseUrl, 'postgres'),
    MIGRATION_DATABASE_URL: ownerUrl,
    DATABASE_URL: appUrl,
  };
  runCli('db:setup', env);
  runCli('migrate', env);
  return { ownerUrl, appUrl };
}

/** A port nothing listens on right now (an app that prints its configured PORT cannot take 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns a built app on a free port and resolves once /health answers 200. */
async function startApp(app, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [entry(app)], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} exited: ${output}`);
    try {
      if ((await fetch(`${url}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${app} not healthy: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The fields of /proc/<pid>/stat after the command name, or null when the process is gone. */
function procStat(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) a process has used so far; null when it is gone or /proc is missing. */
function cpuMs(pid) {
  const fields = procStat(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) * 10 : null;
}

/**
 * The process's minor page faults so far. A Node server whose V8 heap keeps
 * growing and shrinking (much of each request promoted, frequent major GCs)
 * faults about once per request; a steady one, about once per hundred.
 */
function minorFaults(pid) {
  const fields = procStat(pid);
  return fields ? Number(fields[7]) : null;
}

/**
 * The machine's CPU time so far, in clock ticks: all of it, and the part the
 * hypervisor gave to other guests (`steal`, /proc/stat). A run during which
 * steal was high measured a slower machine than its neighbours did.
 */
function machineTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), steal: fields[7] || 0 };
  } catch {
    return null;
  }
}

/** Percentage of the machine's CPU time stolen by the hypervisor between two machineTicks() readings. */
function stealPercent(before, after) {
  if (!before || !after || after.total <= before.total) return null;
  return (100 * (after.steal - before.steal)) / (after.total - before.total);
}

module.exports = {
  ROOT,
  APP_ROLE,
  OWNER_ROLE,
  entry,
  freshDatabase,
  dropDatabase,
  freePort,
  startApp,
  cpuMs,
  minorFaults,
  machineTicks,
  stealPercent,
  quote,
};
