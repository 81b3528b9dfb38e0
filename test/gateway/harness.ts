/**
 * Shared fixtures of the gateway e2e suites: recording doubles for the five
 * downstreams, a gateway booted in-process over the real Redis of the suite
 * (`suiteRedisUrl()`), Redis seeding for domain maps, sessions and allow
 * lists, a player-token issuer, and a raw HTTP client (fetch cannot set Host).
 * Every test uses its own hosts, accounts and client addresses, so suites
 * never depend on flushing Redis.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import Redis from 'ioredis';
import { JwtIssuer } from '@app/auth';
import type { EnforcementMode } from '@app/config';
import { always } from '@app/http';
import { GatewayModule, type GatewayModuleOptions } from '../../apps/gateway/src/app.module';
import { bootHttpApp, type BootedApp } from '../support/app';
import {
  startDownstreamDouble,
  type DoubleCall,
  type DoubleReply,
  type DownstreamDouble,
} from '../support/downstream-double';
import { jwtEnv, makeKeyPair, type TestKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';

export const GATEWAY_TOKEN = `gw-${randomBytes(12).toString('hex')}`;
export const LEGACY_TOKEN = `legacy-${randomBytes(12).toString('hex')}`;
export const SIGNING_KEY = `sign-${randomBytes(16).toString('hex')}`;

export type DoubleName = 'player' | 'wallet' | 'game' | 'rolling' | 'promotion';
export type Doubles = Record<DoubleName, DownstreamDouble>;
export type Responder = (call: DoubleCall) => DoubleReply | Promise<DoubleReply>;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The five downstream doubles; each accepts only the gateway's per-caller token, the wallet also checks signatures on writes. */
export async function startDoubles(
  respond: Partial<Record<DoubleName, Responder>> = {},
  legacyToken?: string,
): Promise<Doubles> {
  const names: DoubleName[] = ['player', 'wallet', 'game', 'rolling', 'promotion'];
  const doubles = await Promise.all(
    names.map((name) =>
      startDownstreamDouble({
        name,
        tokens: { gateway: GATEWAY_TOKEN },
        legacyToken,
        signingKey: SIGNING_KEY,
        requireSignatureOn: name === 'wallet' ? (call) => WRITES.has(call.method) : undefined,
        respond:
          respond[name] ??
          ((call) => ({ status: 200, body: { status: 0, msg: 'ok', data: { echo: call.path } } })),
      }),
    ),
  );
  return Object.fromEntries(names.map((name, i) => [name, doubles[i]])) as Doubles;
}

export async function closeDoubles(doubles: Doubles | undefined): Promise<void> {
  if (doubles) await Promise.all(Object.values(doubles).map((d) => d.close()));
}

export function resetDoubles(doubles: Doubles): void {
  for (const d of Object.values(doubles)) d.reset();
}

export interface GatewayBootOptions {
  mode?: EnforcementMode;
  env?: Record<string, string | undefined>;
  module?: GatewayModuleOptions;
  keys?: TestKeyPair;
}

/** The environment a gateway needs to reach the doubles with the per-caller token. */
export function gatewayEnv(
  doubles: Doubles,
  keys: TestKeyPair,
  mode: EnforcementMode,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const { JWT_PUBLIC_KEYS, JWT_KID } = jwtEnv(keys);
  return {
    MULTI_BRAND_ENFORCEMENT: mode,
    REDIS_URL: suiteRedisUrl(),
    JWT_PUBLIC_KEYS,
    JWT_KID,
    INTERNAL_SERVICE_TOKEN_GATEWAY: GATEWAY_TOKEN,
    BRAND_SIGNING_KEY: SIGNING_KEY,
    PLAYER_SERVICE_URL: doubles.player.url,
    WALLET_SERVICE_URL: doubles.wallet.url,
    GAME_SERVICE_URL: doubles.game.url,
    ROLLING_SERVICE_URL: doubles.rolling.url,
    PROMOTION_SERVICE_URL: doubles.promotion.url,
    RATE_LIMIT_PER_MINUTE: '100000',
    DOWNSTREAM_TIMEOUT_MS: '2000',
    ...extra,
  };
}

export function bootGateway(
  doubles: Doubles,
  keys: TestKeyPair,
  options: GatewayBootOptions = {},
): Promise<BootedApp> {
  const env = gatewayEnv(doubles, keys, options.mode ?? 'observe', options.env);
  return bootHttpApp(
    'gateway',
    env,
    (config) => GatewayModule.forRoot(config, options.module),
    always('frontend'),
  );
}

/** A direct Redis client for seeding the suite database. */
export function seedClient(url: string = suiteRedisUrl()): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1 });
}

export const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;
export const uniqueHost = (prefix = 'brand'): string => `${unique(prefix)}.example.test`;
/** A fresh client address (the right-most X-Forwarded-For entry is the rate-limit key). */
export const uniqueIp = (): string => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

let nextBrand = 1000 + (randomBytes(2).readUInt16BE(0) % 50_000) * 10;
/** Brand ids not used by any other test of this run. */
export const uniqueBrandId = (): number => (nextBrand += 1);
let nextPlayer = 100_000 + randomBytes(2).readUInt16BE(0) * 10;
export const uniquePlayerId = (): number => (nextPlayer += 1);

export async function seedAgentDomain(
  redis: Redis,
  host: string,
  brandId: number,
  agentId = 7,
): Promise<void> {
  await redis.set(
    `domain:agent:${host}`,
    JSON.stringify({ agent_id: agentId, brand_id: brandId }),
    'EX',
    600,
  );
}

export async function seedLevelDomain(redis: Redis, host: string, brandId: number, level = 1): Promise<void> {
  await redis.set(`domain:level:${host}`, JSON.stringify({ level, brand_id: brandId }), 'EX', 600);
}

export async function seedSession(
  redis: Redis,
  brandId: number,
  account: string,
  jti: string,
  playerId: number,
): Promise<void> {
  await redis.set(
    `user-session:brand:${brandId}:${account}`,
    JSON.stringify({ jti, player_id: playerId }),
    'EX',
    600,
  );
}

export interface Player {
  playerId: number;
  account: string;
  brandId: number;
  jti: string;
  token: string;
}

/** Mints a player token and writes its session the way the player service does at login. */
export async function loginPlayer(
  redis: Redis,
  issuer: JwtIssuer,
  brandId: number,
  options: { account?: string; playerId?: number; sessionBrandId?: number | null } = {},
): Promise<Player> {
  const account = options.account ?? unique('acct');
  const playerId = options.playerId ?? uniquePlayerId();
  const jti = randomUUID();
  const { token } = await issuer.signPlayer({ playerId, account, brandId, jti });
  const sessionBrand = options.sessionBrandId === undefined ? brandId : options.sessionBrandId;
  if (sessionBrand !== null) await seedSession(redis, sessionBrand, account, jti, playerId);
  return { playerId, account, brandId, jti, token };
}

export function issuerFor(keys: TestKeyPair): JwtIssuer {
  return new JwtIssuer({ privateKeyPem: keys.privateKeyPem, kid: keys.kid, expiresInSeconds: 600 });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body's bytes as received. */
  raw: Buffer;
  /** The parsed JSON body (undefined when not JSON). */
  json: { status: number; msg: string; data: unknown } & Record<string, unknown>;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  token?: string;
  host?: string;
}

/** One HTTP request over a fresh socket; `host` sets the Host header (brand resolution). */
export function send(baseUrl: string, path: string, options: SendOptions = {}): Promise<HttpResult> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.host) headers.host = options.host;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | Buffer | undefined;
  if (options.body !== undefined) {
    if (Buffer.isBuffer(options.body) || typeof options.body === 'string') payload = options.body;
    else {
      payload = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = raw.toString('utf8');
          let json: HttpResult['json'];
          try {
            json = JSON.parse(text) as HttpResult['json'];
          } catch {
            json = undefined as unknown as HttpResult['json'];
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, raw, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * The value of one Prometheus sample on the app's /metrics (0 when absent). Apps booted in one
 * process share prom-client's registry, so suites compare deltas around a request.
 */
export async function metricValue(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const { text } = await send(baseUrl, '/metrics');
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (matches) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Probes until `done` accepts the value or the time is up; returns the last value (the caller asserts on it). */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await probe();
  }
  return value;
}

export { makeKeyPair, type TestKeyPair };

export interface ModeSuite {
  keys: TestKeyPair;
  issuer: JwtIssuer;
  doubles: Doubles;
  /** Seeds domains and sessions in the suite's Redis database. */
  redis: Redis;
  gateways: Record<EnforcementMode, BootedApp>;
}

/**
 * Registers a suite's lifecycle: recording doubles, a seeding Redis client and
 * one gateway per enforcement mode, booted before all tests and closed after;
 * the doubles' recordings are reset before each test. Fields are set in beforeAll.
 */
export function gatewaysPerMode(
  modes: readonly EnforcementMode[] = ['off', 'observe', 'enforce'],
): ModeSuite {
  const suite = { keys: makeKeyPair(), gateways: {} } as ModeSuite;
  beforeAll(async () => {
    suite.issuer = issuerFor(suite.keys);
    suite.redis = seedClient();
    suite.doubles = await startDoubles();
    for (const mode of modes) suite.gateways[mode] = await bootGateway(suite.doubles, suite.keys, { mode });
  });
  afterAll(async () => {
    for (const mode of modes) await suite.gateways[mode]?.close();
    await closeDoubles(suite.doubles);
    suite.redis?.disconnect();
  });
  beforeEach(() => resetDoubles(suite.doubles));
  return suite;
}
