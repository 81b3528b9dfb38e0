/**
 * Shared set-up of the player_service e2e suites: a cloned, migrated
 * PostgreSQL database per suite, the worker's own Redis database, an SMS
 * provider double (a real HTTP server recording what would be sent), RS256
 * test keys, and player apps booted in-process on real HTTP ports in any
 * enforcement mode. Requests carry the gateway's per-caller token and the
 * headers the gateway forwards (X-Brand-Id, identity, X-Client-Ip).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { register } from 'prom-client';
import { always } from '@app/http';
import { PlayerModule } from '../../apps/player/src/app.module';
import { bootHttpApp, type BootedApp } from '../support/app';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { jwtEnv, makeKeyPair, type TestKeyPair } from '../support/keys';
import { flushSuiteRedis, suiteRedisUrl } from '../support/redis';

export const GATEWAY_TOKEN = 'tok-gateway-0123456789';
export const AGENT_TOKEN = 'tok-agent-0123456789';
export const LEGACY_TOKEN = 'tok-legacy-0123456789';
export const PASSWORD_SALT = 'suite-pepper';
export const AES_KEY = '0123456789abcdef0123456789abcdef';
export const AES_IV = 'fedcba9876543210';

export interface SmsMessage {
  to: string;
  text: string;
}

export interface SmsDouble {
  url: string;
  messages: SmsMessage[];
  /** Answer with this HTTP status (200 = delivered). */
  status: number;
  /** Hold each answer back this long (a slow provider). */
  delayMs: number;
  /** The 6-digit code of the last message sent to `to`. */
  lastCode(to: string): string | null;
  count(to: string): number;
  /** Waits until more than `seen` messages went to `to`, then returns the last code. */
  waitForCode(to: string, seen: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startSmsDouble(): Promise<SmsDouble> {
  const messages: SmsMessage[] = [];
  const double = { status: 200, delayMs: 0 } as SmsDouble;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        const parsed = JSON.parse(body) as SmsMessage;
        messages.push({ to: parsed.to, text: parsed.text });
      } catch {
        // recorded as nothing: the test that sent garbage will see no message
      }
      setTimeout(() => res.writeHead(double.status, { 'content-type': 'application/json' }).end('{}'), double.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  double.messages = messages;
  double.lastCode = (to) => {
    const hit = [...messages].reverse().find((m) => m.to === to);
    return hit ? (/(\d{6})/.exec(hit.text)?.[1] ?? null) : null;
  };
  double.count = (to) => messages.filter((m) => m.to === to).length;
  double.waitForCode = async (to, seen, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (double.count(to) <= seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const code = double.count(to) > seen ? double.lastCode(to) : null;
    if (!code) throw new Error(`no SMS code sent to ${to}`);
    return code;
  };
  double.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return double;
}

export interface Identity {
  playerId: number;
  account: string;
  jti: string;
}

export interface CallOptions {
  brand?: number | null;
  body?: unknown;
  identity?: Identity;
  caller?: string;
  token?: string | null;
  ip?: string;
  headers?: Record<string, string>;
}

export interface Reply<T = any> {
  http: number;
  status: number;
  msg: string;
  data: T;
  raw: string;
}

export interface PlayerApp extends BootedApp {
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<Reply<T>>;
}

export interface PlayerHarness {
  db: SuiteDatabase;
  pg: Pool;
  redis: Redis;
  redisUrl: string;
  sms: SmsDouble;
  keys: TestKeyPair;
  env(overrides?: Record<string, string | undefined>): Record<string, string | undefined>;
  boot(overrides?: Record<string, string | undefined>): Promise<PlayerApp>;
  createBrand(code: string): Promise<number>;
  close(): Promise<void>;
}

export async function call<T = any>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.caller !== undefined || options.token !== null) {
    headers['x-caller-service'] = options.caller ?? 'gateway';
  }
  if (options.token !== null) headers['x-internal-service-token'] = options.token ?? GATEWAY_TOKEN;
  if (options.brand !== null && options.brand !== undefined) headers['x-brand-id'] = String(options.brand);
  if (options.identity) {
    headers['x-player-id'] = String(options.identity.playerId);
    headers['x-player-account'] = options.identity.account;
    headers['x-session-jti'] = options.identity.jti;
  }
  if (options.ip) headers['x-client-ip'] = options.ip;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const raw = await res.text();
  let parsed: { status: number; msg: string; data: T };
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = { status: -1, msg: raw, data: null as T };
  }
  return { http: res.status, status: parsed.status, msg: parsed.msg, data: parsed.data, raw };
}

/** The claims of a JWT, without verification (tests read what the service minted). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export async function startPlayerHarness(label: string): Promise<PlayerHarness> {
  const db = await createSuiteDatabase(label);
  const redisUrl = suiteRedisUrl();
  await flushSuiteRedis(redisUrl);
  const pg = new Pool({ connectionString: db.url, max: 3 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const sms = await startSmsDouble();
  const keys = makeKeyPair();
  const apps: BootedApp[] = [];

  const env = (overrides: Record<string, string | undefined> = {}) => ({
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: db.appUrl,
    DB_POOL_SIZE: '4',
    REDIS_URL: redisUrl,
    INTERNAL_SERVICE_TOKEN_GATEWAY: GATEWAY_TOKEN,
    INTERNAL_SERVICE_TOKEN_AGENT: AGENT_TOKEN,
    PASSWORD_SALT,
    AES_KEY,
    AES_IV,
    SMS_URL: sms.url,
    SMS_TIMEOUT_MS: '1000',
    ...jwtEnv(keys),
    ...overrides,
  });

  return {
    db,
    pg,
    redis,
    redisUrl,
    sms,
    keys,
    env,
    async boot(overrides = {}) {
      // Several apps per test file share prom-client's default registry, which refuses a second set of
      // default metrics; counters are process-wide, so suites compare deltas around one request.
      register.clear();
      const booted = await bootHttpApp('player', env(overrides), (config) => PlayerModule.forRoot(config), always('internal'));
      apps.push(booted);
      return { ...booted, call: (method, path, options) => call(booted.url, method, path, options) };
    },
    async createBrand(code: string) {
      const { rows } = await pg.query<{ id: number }>(
        `INSERT INTO brand (brand_code, name, default_currency) VALUES ($1, $1, 'KRW') RETURNING id`,
        [code],
      );
      return rows[0].id;
    },
    async close() {
      for (const app of apps.reverse()) await app.close();
      redis.disconnect();
      await pg.end();
      await sms.close();
      await db.drop();
    },
  };
}

/** Registers and logs a player in; returns its identity headers and token. */
export async function registerAndLogin(
  app: PlayerApp,
  brand: number,
  account: string,
  password = 'secret-pass-1',
  extra: Record<string, unknown> = {},
): Promise<Identity & { token: string }> {
  const reg = await app.call('POST', '/internal/players/register', { brand, body: { account, password, ...extra } });
  if (reg.status !== 0) throw new Error(`register failed: ${reg.raw}`);
  return login(app, brand, account, password);
}

export async function login(app: PlayerApp, brand: number, account: string, password: string): Promise<Identity & { token: string }> {
  const res = await app.call('POST', '/internal/players/login', { brand, body: { account, password } });
  if (res.status !== 0) throw new Error(`login failed: ${res.raw}`);
  const claims = claimsOf(res.data.token);
  return { playerId: Number(claims.sub), account: claims.account, jti: claims.jti, token: res.data.token };
}

/** Reads one labelled sample from the app's /metrics text. */
export async function metric(app: BootedApp, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    const pairs = Object.fromEntries(
      [...labelText.matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => pairs[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
