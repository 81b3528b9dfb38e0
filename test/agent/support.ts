/**
 * Harness for the agent_service e2e suites: a cloned, migrated PostgreSQL
 * database per suite, the suite's Redis database, an SMS provider double
 * that records what the service sends, the agent app booted in-process on a
 * random port (same config loader and boot guards as main.ts), and data
 * factories for brands, agents, players and money rows. Requests are real
 * HTTP with a chosen Host, so brand resolution runs exactly as in production.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomInt } from 'node:crypto';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { register } from 'prom-client';
import { request } from 'undici';
import { PasswordHasher } from '@app/auth';
import { PiiCipher } from '@app/crypto';
import { always } from '@app/http';
import { contactLookupHash } from '@app/recovery';
import { AgentModule } from '../../apps/agent/src/app.module';
import { bootHttpApp, type BootedApp } from '../support/app';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { startApp } from '../support/processes';
import { jwtEnv, makeKeyPair, type TestKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';

export const AES_KEY = 'k'.repeat(16) + 'K'.repeat(16);
export const AES_IV = 'i'.repeat(16);
export const PASSWORD_SALT = 'agent-e2e-pepper';

export const pii = new PiiCipher({
  aesKey: AES_KEY,
  aesIv: AES_IV,
  strictDecrypt: false,
  production: false,
  service: 'test',
});
const hasher = new PasswordHasher({ pepper: PASSWORD_SALT });

/** A fresh Korean mobile number. */
export function randomPhone(): string {
  return `+8210${randomInt(10_000_000, 100_000_000)}`;
}

export interface SmsMessage {
  to: string;
  text: string;
}

export interface SmsDouble {
  url: string;
  messages: SmsMessage[];
  /** When true the provider answers 500. */
  failing: boolean;
  /** The last code sent to `to`. */
  lastCode(to: string): string;
  /** Waits (up to 5 s) for a message to `to` after the first `since` messages and returns its code. */
  codeAfter(to: string, since: number): Promise<string>;
  close(): Promise<void>;
}

export async function startSmsDouble(): Promise<SmsDouble> {
  const messages: SmsMessage[] = [];
  const state = { failing: false };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.failing) {
        res.writeHead(500).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SmsMessage;
      messages.push({ to: body.to, text: body.text });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    messages,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    lastCode(to: string): string {
      const message = [...messages].reverse().find((m) => m.to === to);
      const code = message ? /(\d{6})/.exec(message.text)?.[1] : undefined;
      if (!code) throw new Error(`no code was sent to ${to}`);
      return code;
    },
    async codeAfter(to: string, since: number): Promise<string> {
      const until = Date.now() + 5000;
      for (;;) {
        const message = messages.slice(since).find((m) => m.to === to);
        const code = message ? /(\d{6})/.exec(message.text)?.[1] : undefined;
        if (code) return code;
        if (Date.now() > until) throw new Error(`no code was sent to ${to}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface CallOptions {
  host?: string;
  origin?: string;
  token?: string;
  body?: unknown;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  http: number;
  status: number;
  msg: string;
  data: T;
  headers: Record<string, string | string[] | undefined>;
}

export interface AgentRow {
  id: number;
  account: string;
  password: string;
  phone: string | null;
}

export interface Harness {
  url: string;
  db: SuiteDatabase;
  pg: Pool;
  redis: Redis;
  redisUrl: string;
  sms: SmsDouble;
  keys: TestKeyPair;
  app: BootedApp & { output?: () => string };
  /** A unique suffix for this suite's hosts and accounts. */
  tag: string;
  call<T = any>(method: 'GET' | 'POST', path: string, options?: CallOptions): Promise<CallResult<T>>;
  /** GET returning the raw text (e.g. /metrics). */
  text(path: string): Promise<string>;
  /** The value of one Prometheus sample line, 0 when absent. */
  metric(name: string, labels: Record<string, string>): Promise<number>;
  createBrand(code: string): Promise<number>;
  mapDomain(host: string, brandId: number, agentId?: number | null): Promise<void>;
  createAgent(
    input: Partial<Omit<AgentRow, 'id'>> & {
      parentId?: number;
      balance?: string;
      commissionRate?: string;
      bank?: boolean;
    },
  ): Promise<AgentRow>;
  setAgentBrand(agentId: number, brandId: number, status: 'enabled' | 'disabled'): Promise<void>;
  createPlayer(
    brandId: number,
    agentId: number | null,
    account?: string,
    createdAt?: string,
  ): Promise<number>;
  login(agent: AgentRow, host: string): Promise<string>;
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: 'off' | 'observe' | 'enforce';
  env?: Record<string, string>;
  /** Run the built app (`node dist/apps/agent/main.js`) as a child process instead of in-process. */
  spawn?: boolean;
}

export async function startHarness(label: string, options: HarnessOptions = {}): Promise<Harness> {
  const db = await createSuiteDatabase(`agent_${label}`);
  const pg = new Pool({ connectionString: db.url, max: 4 });
  // Redis keys carry agent and brand ids; random id ranges keep suites (and reruns) sharing a Redis database apart.
  const base = 1_000_000 + randomInt(1_000_000) * 1000;
  await pg.query(
    `SELECT setval('agent_guid_seq', $1), setval('brand_id_seq', $2), setval('player_id_seq', $1)`,
    [base, base % 2_000_000_000],
  );
  const redisUrl = suiteRedisUrl();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const sms = await startSmsDouble();
  const keys = makeKeyPair();
  const tag = randomBytes(4).toString('hex');
  const baseEnv = (): Record<string, string> => ({
    MULTI_BRAND_ENFORCEMENT: options.mode ?? 'enforce',
    DATABASE_URL: db.appUrl,
    DB_POOL_SIZE: '4',
    REDIS_URL: redisUrl,
    AES_KEY,
    AES_IV,
    PASSWORD_SALT,
    SMS_URL: sms.url,
    ...jwtEnv(keys),
    ...options.env,
  });
  const boot = async (env: Record<string, string>): Promise<BootedApp & { output?: () => string }> => {
    if (options.spawn) {
      const running = await startApp('agent', env);
      return {
        app: undefined as never,
        url: running.url,
        close: async () => void (await running.stop()),
        output: running.output,
      };
    }
    // Every root module registers the default process metrics; one jest worker boots several apps.
    register.clear();
    return bootHttpApp('agent', env, (config) => AgentModule.forRoot(config), always('frontend'));
  };
  let app = await boot(baseEnv());

  const harness: Harness = {
    get url() {
      return app.url;
    },
    get app() {
      return app;
    },
    db,
    pg,
    redis,
    redisUrl,
    sms,
    keys,
    tag,

    async call(method, path, opts = {}) {
      const url = new URL(path, app.url);
      for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.host) headers.host = opts.host;
      if (opts.origin) headers.origin = opts.origin;
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(opts.body);
      }
      const res = await request(url, { method, headers, body });
      const text = await res.body.text();
      const parsed = text
        ? (JSON.parse(text) as { status: number; msg: string; data: unknown })
        : { status: -1, msg: '', data: null };
      return {
        http: res.statusCode,
        status: parsed.status,
        msg: parsed.msg,
        data: parsed.data as never,
        headers: res.headers,
      };
    },

    async text(path) {
      const res = await request(new URL(path, app.url), { method: 'GET' });
      return res.body.text();
    },

    async metric(name, labels) {
      const text = await harness.text('/metrics');
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`)) continue;
        const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
        const pairs = new Map([...inside.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        if (Object.entries(labels).every(([k, v]) => pairs.get(k) === v))
          return Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return 0;
    },

    async createBrand(code) {
      const { rows } = await pg.query<{ id: number }>(
        `INSERT INTO brand (brand_code, name, default_currency) VALUES ($1, $2, 'KRW') RETURNING id`,
        [`${code}${tag}${randomBytes(2).toString('hex')}`, `Brand ${code}`],
      );
      return rows[0].id;
    },

    async mapDomain(host, brandId, agentId = null) {
      await redis.set(`domain:agent:${host}`, JSON.stringify({ agent_id: agentId, brand_id: brandId }));
    },

    async createAgent(input) {
      const account = input.account ?? `agent${tag}${randomBytes(3).toString('hex')}`;
      const password = input.password ?? 'secret-pass-1';
      const phone = input.phone === undefined ? randomPhone() : input.phone;
      const { rows } = await pg.query<{ guid: string }>(
        `INSERT INTO agent (account, password_hash, phone_num, phone_hash, parent_id, balance, commission_rate, level,
                            bank_name, bank_num, card_number, holder_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING guid`,
        [
          account,
          await hasher.hash(password),
          phone ? pii.encrypt(phone) : null,
          phone ? contactLookupHash(phone, PASSWORD_SALT) : null,
          input.parentId ?? null,
          input.balance ?? '0',
          input.commissionRate ?? '0.1000',
          input.parentId ? 2 : 1,
          input.bank ? 'KB' : null,
          input.bank ? pii.encrypt('110-222-333444') : null,
          input.bank ? pii.encrypt('4111222233334444') : null,
          input.bank ? 'Hong Gildong' : null,
        ],
      );
      return { id: Number(rows[0].guid), account, password, phone };
    },

    async setAgentBrand(agentId, brandId, status) {
      await pg.query(
        `INSERT INTO agent_brand (agent_id, brand_id, status) VALUES ($1, $2, $3)
         ON CONFLICT (agent_id, brand_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
        [agentId, brandId, status],
      );
    },

    async createPlayer(brandId, agentId, account, createdAt) {
      const { rows } = await pg.query<{ id: string }>(
        `INSERT INTO player (brand_id, account, password_hash, agent_id, phone_num, created_at)
         VALUES ($1, $2, 'x', $3, $4, coalesce($5::timestamptz, now())) RETURNING id`,
        [
          brandId,
          account ?? `p${tag}${randomBytes(3).toString('hex')}`,
          agentId,
          pii.encrypt('+821099998888'),
          createdAt ?? null,
        ],
      );
      return Number(rows[0].id);
    },

    async login(agent, host) {
      const res = await harness.call('POST', '/agent/login', {
        host,
        body: { account: agent.account, password: agent.password },
      });
      if (res.status !== 0) throw new Error(`login failed: ${res.status} ${res.msg}`);
      return (res.data as { token: string }).token;
    },

    async restart(env = {}) {
      await app.close();
      app = await boot({ ...baseEnv(), ...env });
    },

    async close() {
      await app.close();
      await sms.close();
      const keysToDelete = await redis.keys(`*${tag}*`);
      if (keysToDelete.length > 0) await redis.del(...keysToDelete);
      redis.disconnect();
      await pg.end();
      await db.drop();
    },
  };
  return harness;
}

/** Two brands, each with its own agent portal domain. */
export async function twoBrands(
  h: Harness,
): Promise<{ alpha: number; beta: number; hostA: string; hostB: string }> {
  const alpha = await h.createBrand('alpha');
  const beta = await h.createBrand('beta');
  const hostA = `alpha${alpha}-${h.tag}.agent.test`;
  const hostB = `beta${beta}-${h.tag}.agent.test`;
  await h.mapDomain(hostA, alpha);
  await h.mapDomain(hostB, beta);
  return { alpha, beta, hostA, hostB };
}
