/**
 * Two-brand system harness (issue 7 point 1, ADR-009 Phase 14): the seven
 * built apps as real processes on one fresh PostgreSQL database and one Redis
 * database, recording doubles for the downstream services this project does
 * not build, one RS256 key pair and per-caller internal tokens (CONTRACTS §3,
 * §5, §10). Helpers here speak HTTP, Redis streams and the admin WebSocket
 * the way a client would; nothing reaches into an app's internals.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { startDownstreamDouble, type DownstreamDouble } from '../support/downstream-double';
import type { TestKeyPair } from '../support/keys';
import { CLI_ENTRY } from '../ops/support';
import { baseEnv, ROOT, startApp, type RunningApp } from '../support/processes';

export const CALLERS = ['gateway', 'agent', 'admin', 'recon', 'game', 'promotion', 'rolling'] as const;
export const DOUBLE_NAMES = ['wallet', 'game', 'rolling', 'promotion', 'recon'] as const;
export type DoubleName = (typeof DOUBLE_NAMES)[number];

export const tokenOf = (caller: string): string => `system-${caller}-internal-token-0123456789`;
export const SIGNING_KEY = 'system-brand-signing-key-0123456789';

export interface Envelope {
  status: number;
  msg: string;
  data: any;
}

export interface Reply {
  http: number;
  body: Envelope;
}

export interface CallOptions {
  host?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One JSON request over node:http (fetch would drop a custom Host header);
 * `host` sets the Host header, the brand resolution source (CONTRACTS §3).
 */
export function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, base);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.host) headers.host = opts.host;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Envelope;
          try {
            body = JSON.parse(text) as Envelope;
          } catch {
            body = { status: -1, msg: text, data: null };
          }
          resolve({ http: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Sum of every series of `name` whose labels include `labels` in a Prometheus text page. */
export async function metricSum(
  base: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface StreamEvent {
  event_id: string;
  event_type: string;
  schema_version: number;
  brand_id: number;
  aggregate_id: string;
  producer: string;
  payload: Record<string, unknown>;
}

/** Every DomainEvent on a stream (one `event` field holding the JSON, CONTRACTS §4, §6). */
export async function readStream(redis: Redis, stream: string): Promise<StreamEvent[]> {
  const entries = await redis.xrange(stream, '-', '+');
  const events: StreamEvent[] = [];
  for (const [, fields] of entries) {
    const i = fields.indexOf('event');
    if (i >= 0 && i + 1 < fields.length) events.push(JSON.parse(fields[i + 1]) as StreamEvent);
  }
  return events;
}

/** The last `code=` exposed after `offset` in a process's output (RECOVERY_EXPOSE_TOKEN_FOR_TESTS=on). */
export function exposedCode(output: string, offset: number): string | null {
  const matches = [...output.slice(offset).matchAll(/tel=\S+ code=([A-Za-z0-9]+)/g)];
  return matches.length > 0 ? matches[matches.length - 1][1] : null;
}

export interface Frame {
  event: string;
  data: any;
}

export interface RecordedSocket {
  ws: WebSocket;
  frames: Frame[];
  nextFrame(event: string, predicate?: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
}

/** The admin socket with the token in the subprotocol list (`bearer,<token>`, seed 004). */
export function openAdminSocket(url: string, token: string): RecordedSocket {
  const ws = new WebSocket(url, ['bearer', token]);
  const frames: Frame[] = [];
  ws.on('message', (raw) => {
    try {
      frames.push(JSON.parse(raw.toString()) as Frame);
    } catch {
      // non-JSON frames are not part of the contract under test
    }
  });
  ws.on('error', () => undefined);
  return {
    ws,
    frames,
    nextFrame: (event, predicate = () => true, timeoutMs = 8000) =>
      waitFor(
        `a "${event}" frame`,
        async () => frames.find((f) => f.event === event && predicate(f)),
        timeoutMs,
      ),
  };
}

export interface SystemEnv {
  keys: TestKeyPair;
  doubles: Record<DoubleName, DownstreamDouble>;
  heartbeatDir: string;
  common: Record<string, string>;
}

/** Doubles for wallet/game/rolling/promotion/recon that accept every caller's own token. */
export async function startDoubles(): Promise<Record<DoubleName, DownstreamDouble>> {
  const tokens: Record<string, string> = {};
  for (const c of CALLERS) tokens[c] = tokenOf(c);
  const entries = await Promise.all(
    DOUBLE_NAMES.map(async (name) => {
      const double = await startDownstreamDouble({
        name,
        tokens,
        signingKey: SIGNING_KEY,
        respond: (c) =>
          name === 'game' && c.path === '/integration/launch'
            ? {
                status: 200,
                body: { status: 0, msg: 'ok', data: { url: 'https://game.example/launch/abc' } },
              }
            : { status: 200, body: { status: 0, msg: 'ok', data: null } },
      });
      return [name, double] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<DoubleName, DownstreamDouble>;
}

/** The environment every process shares (CONTRACTS §1, §3, §5; .env.example). */
export function commonEnv(opts: {
  databaseUrl: string;
  redisUrl: string;
  keys: TestKeyPair;
  doubles: Record<DoubleName, DownstreamDouble>;
  playerUrl: string;
}): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: opts.redisUrl,
    JWT_PRIVATE_KEY: opts.keys.privateKeyPem,
    JWT_KID: opts.keys.kid,
    JWT_PUBLIC_KEYS: JSON.stringify({ [opts.keys.kid]: opts.keys.publicKeyPem }),
    BRAND_SIGNING_KEY: SIGNING_KEY,
    AES_KEY: 'system-aes-key-32-bytes-long-xyz',
    AES_IV: 'system-aes-iv-16',
    PASSWORD_SALT: 'system-pepper',
    RECOVERY_EXPOSE_TOKEN_FOR_TESTS: 'on',
    PLAYER_SERVICE_URL: opts.playerUrl,
    WALLET_SERVICE_URL: opts.doubles.wallet.url,
    GAME_SERVICE_URL: opts.doubles.game.url,
    ROLLING_SERVICE_URL: opts.doubles.rolling.url,
    PROMOTION_SERVICE_URL: opts.doubles.promotion.url,
    RECON_SERVICE_URL: opts.doubles.recon.url,
    DOMAIN_CACHE_TTL_SECONDS: '1',
    OUTBOX_POLL_INTERVAL_MS: '100',
  };
  for (const c of CALLERS) env[`INTERNAL_SERVICE_TOKEN_${c.toUpperCase()}`] = tokenOf(c);
  return env;
}

export function heartbeatDir(): string {
  return mkdtempSync(join(tmpdir(), 'system-'));
}

/** Starts one app in the given enforcement mode; workers get their own heartbeat file. */
export function launch(
  app: string,
  common: Record<string, string>,
  mode: 'off' | 'observe' | 'enforce',
  dir: string,
  port?: number,
): Promise<RunningApp> {
  const extra: Record<string, string> = { MULTI_BRAND_ENFORCEMENT: mode };
  if (app.endsWith('-worker')) extra.WORKER_HEARTBEAT_FILE = join(dir, `${app}.heartbeat`);
  return startApp(app, { ...common, ...extra }, port);
}

/**
 * Runs the built CLI and calls `during` once its output contains `marker`
 * (e.g. the soak has started), so a test can act inside a time window the
 * tool itself measures.
 */
export function runOpsDuring(
  args: string[],
  env: Record<string, string | undefined>,
  marker: RegExp,
  during: () => Promise<void>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string; duringError: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: ROOT,
      env: baseEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let acted: Promise<unknown> | null = null;
    let duringError: unknown = null;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!acted && marker.test(stdout)) acted = during().catch((err: unknown) => (duringError = err));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      void Promise.resolve(acted).then(() => resolve({ code, stdout, stderr, duringError }));
    });
  });
}
