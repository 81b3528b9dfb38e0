/**
 * Shared pieces of the operator-tool suites (issue 7): run the built CLI
 * (`node dist/apps/cli/main.js <command>`, rebuilt first when its bundle is
 * older than the sources, under a lock so parallel suites build once), and
 * stand up small real HTTP servers that answer /health and /metrics the way
 * the apps do (CONTRACTS §8, §9), with readings that change between calls.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { ROOT, baseEnv } from '../support/processes';

export const CLI_ENTRY = join(ROOT, 'dist', 'apps', 'cli', 'main.js');
const SOURCE_DIRS = ['apps/cli/src', 'libs', 'migrations'].map((d) => join(ROOT, d));
const LOCK_DIR = join(ROOT, 'dist', '.cli-build.lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function cliIsFresh(): boolean {
  if (!existsSync(CLI_ENTRY)) return false;
  const built = statSync(CLI_ENTRY).mtimeMs;
  return SOURCE_DIRS.every((dir) => !existsSync(dir) || newestSource(dir) <= built);
}

/** Builds the CLI bundle when it is missing or stale (npm test has built it already). */
export async function ensureCliBuilt(): Promise<void> {
  if (cliIsFresh()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      // another suite is building; a lock older than 3 minutes is left over from a killed run
      if (existsSync(LOCK_DIR) && Date.now() - statSync(LOCK_DIR).mtimeMs > 180_000)
        rmSync(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another suite to build the CLI');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (cliIsFresh()) return;
    const result = spawnSync('npx', ['nest', 'build', 'cli'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: process.env,
    });
    if (result.status !== 0) throw new Error(`nest build cli failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with only PATH, HOME and `env` in its environment. */
export function runOps(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: ROOT,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ServiceReading {
  /** HTTP status of /health; 200 unless set. */
  httpStatus?: number;
  /** `data` of the /health envelope. */
  data: Record<string, unknown>;
  /** Prometheus text served on /metrics. */
  metrics?: string;
}

export interface FakeService {
  url: string;
  /** How many times /health and /metrics were read. */
  hits: { health: number; metrics: number };
  close(): Promise<void>;
}

/**
 * A real HTTP server answering like an app. The n-th read of /health (and of
 * /metrics) gets `readings[n]`, the last one repeating, so a test can make a
 * counter grow or a service fall over between the start and the end of a
 * soak window.
 */
export async function fakeService(readings: ServiceReading[]): Promise<FakeService> {
  const hits = { health: 0, metrics: 0 };
  const pick = (n: number) => readings[Math.min(n, readings.length - 1)];
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      const r = pick(hits.health++);
      const httpStatus = r.httpStatus ?? 200;
      res.writeHead(httpStatus, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          status: httpStatus === 200 ? 0 : 7,
          msg: httpStatus === 200 ? 'ok' : 'unhealthy',
          data: r.data,
        }),
      );
    } else if (req.url === '/metrics') {
      const r = pick(hits.metrics++);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(r.metrics ?? '');
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 5, msg: 'not found', data: null }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** /health `data` as the apps build it (CONTRACTS §8 plus `jwt_kids`). */
export function healthData(
  service: string,
  mode: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    service,
    multi_brand_enforcement: mode,
    jwt_kid: 'kid-a',
    jwt_kids: ['kid-a'],
    checks: { redis: 'ok' },
    details: {},
    ...extra,
  };
}

/** Prometheus text in prom-client's layout, with the enforcement gauge and the given counter series. */
export function metricsText(
  service: string,
  mode: number,
  series: { name: string; labels: Record<string, string>; value: number }[] = [],
): string {
  const lines = [
    '# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.',
    '# TYPE process_cpu_user_seconds_total counter',
    'process_cpu_user_seconds_total 0.52',
    '# HELP multi_brand_enforcement_mode MULTI_BRAND_ENFORCEMENT: 0 off, 1 observe, 2 enforce',
    '# TYPE multi_brand_enforcement_mode gauge',
    `multi_brand_enforcement_mode{service="${service}"} ${mode}`,
    '# HELP brand_resolution_failed_total Brand checks that failed, by reason',
    '# TYPE brand_resolution_failed_total counter',
    '# HELP http_requests_total HTTP requests',
    '# TYPE http_requests_total counter',
    `http_requests_total{service="${service}",method="GET",route="/health",status="200",brand=""} 12`,
  ];
  for (const s of series) {
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    lines.push(`${s.name}{${labels}} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The lifecycle the database-backed operator suites share: the CLI built, a
 * migrated suite database and a superuser client on it, dropped afterwards.
 */
export function cliSuiteDatabase(name: string): { readonly db: SuiteDatabase; readonly sql: Client } {
  const suite = {} as { db: SuiteDatabase; sql: Client };
  beforeAll(async () => {
    await ensureCliBuilt();
    suite.db = await createSuiteDatabase(name);
    suite.sql = new Client({ connectionString: suite.db.url });
    await suite.sql.connect();
  });
  afterAll(async () => {
    await suite.sql?.end();
    await suite.db?.drop();
  });
  return suite;
}
