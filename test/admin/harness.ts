/**
 * Shared fixtures of the admin e2e suites (seed 004): the admin app booted
 * in-process over a fresh migrated PostgreSQL database and the suite's Redis,
 * a recording wallet double that checks admin's per-caller token and the
 * brand signature on every write, operator tokens, fixture rows and metric
 * readers. Hosts, accounts and codes are random per test so suites never
 * depend on flushing Redis.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PasswordHasher } from '@app/auth';
import { type EnforcementMode, loadConfig } from '@app/config';
import { createDataSource } from '@app/database';
import { always } from '@app/http';
import { createHttpApp, readyForTest } from '@app/platform';
import { AdminModule } from '../../apps/admin/src/app.module';
import { ADMIN_PASSWORD_HASHER, createOrResetOperator } from '../../apps/admin/src/auth';
import type { BootedApp } from '../support/app';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import {
  startDownstreamDouble,
  type DoubleCall,
  type DoubleReply,
  type DownstreamDouble,
} from '../support/downstream-double';
import { jwtEnv, makeKeyPair, type TestKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';

export const ADMIN_TOKEN = `adm-${randomBytes(12).toString('hex')}`;
export const SIGNING_KEY = `sign-${randomBytes(16).toString('hex')}`;

export type Responder = (call: DoubleCall) => DoubleReply | Promise<DoubleReply>;

export interface AdminHarness {
  admin: BootedApp;
  db: SuiteDatabase;
  /** Fixture connection as the superuser (bypasses row-level security); the app itself runs as the app role. */
  ds: DataSource;
  redis: Redis;
  wallet: DownstreamDouble;
  keys: TestKeyPair;
  /** Replace the wallet double's answer (reset to success by `resetWallet`). */
  setWallet(responder: Responder): void;
  resetWallet(): void;
  close(): Promise<void>;
}

let walletTxCounter = 0;
export const walletOk: Responder = (call) => ({
  status: 200,
  body: { status: 0, msg: 'ok', data: { transaction_id: `wtx-${++walletTxCounter}`, path: call.path } },
});

export async function bootAdmin(
  options: { mode?: EnforcementMode; env?: Record<string, string | undefined> } = {},
): Promise<AdminHarness> {
  register.clear();
  const db = await createSuiteDatabase('admin');
  let responder: Responder = walletOk;
  const wallet = await startDownstreamDouble({
    name: 'wallet',
    tokens: { admin: ADMIN_TOKEN },
    signingKey: SIGNING_KEY,
    requireSignatureOn: (call) => call.method !== 'GET',
    respond: (call) => responder(call),
  });
  const keys = makeKeyPair();
  // Booted like main.ts, listening on a random loopback port. The OpenAPI routes need @fastify/static,
  // which jest's CommonJS loader cannot require: built-app.e2e-spec.ts covers them on the built app.
  const config = loadConfig('admin', {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    MULTI_BRAND_ENFORCEMENT: options.mode ?? 'observe',
    DATABASE_URL: db.appUrl,
    DB_POOL_SIZE: '4',
    REDIS_URL: suiteRedisUrl(),
    WALLET_SERVICE_URL: wallet.url,
    INTERNAL_SERVICE_TOKEN_ADMIN: ADMIN_TOKEN,
    BRAND_SIGNING_KEY: SIGNING_KEY,
    PASSWORD_SALT: 'admin-test-salt',
    AES_KEY: 'k'.repeat(32),
    AES_IV: 'i'.repeat(16),
    DOWNSTREAM_TIMEOUT_MS: '2000',
    ...jwtEnv(keys),
    ...options.env,
  });
  const app = await createHttpApp({
    service: 'admin_service',
    module: AdminModule.forRoot(config),
    surface: always('internal'),
  });
  await readyForTest(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const admin: BootedApp = {
    app,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => app.close(),
  };
  const redis = new Redis(suiteRedisUrl(), { maxRetriesPerRequest: 1 });
  const ds = await createDataSource({
    url: db.url,
    poolSize: 2,
    applicationName: 'admin-test-fixtures',
  }).initialize();
  return {
    admin,
    db,
    ds,
    redis,
    wallet,
    keys,
    setWallet: (r) => {
      responder = r;
    },
    resetWallet: () => {
      responder = walletOk;
      wallet.reset();
    },
    close: async () => {
      redis.disconnect();
      await admin.close();
      await ds.destroy();
      await wallet.close();
      await db.drop();
    },
  };
}

export const uid = (): string => randomBytes(4).toString('hex');

/** Creates an operator through the same code path as the CLI and logs in over HTTP. */
export async function operatorToken(
  h: AdminHarness,
  account = `op_${uid()}`,
): Promise<{ token: string; adminId: number }> {
  const hasher = h.admin.app.get<PasswordHasher>(ADMIN_PASSWORD_HASHER);
  const password = `pw-${uid()}-secret`;
  await createOrResetOperator(h.ds, hasher, account, password);
  const res = await api(h, 'POST', '/api/v1/auth/login', { body: { account, password } });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return { token: res.body.data.token, adminId: res.body.data.admin_id };
}

/**
 * A describe block's admin booted against a Redis that is not there, with an operator token: call
 * it in the describe body; it registers the beforeAll/afterAll and returns getters.
 */
export function adminWithRedisDown(): { h: () => AdminHarness; token: () => string } {
  let h: AdminHarness | undefined;
  let token = '';
  beforeAll(async () => {
    h = await bootAdmin({ env: { REDIS_URL: 'redis://127.0.0.1:6399' } });
    ({ token } = await operatorToken(h));
  });
  afterAll(async () => h?.close());
  return {
    h: () => {
      if (!h) throw new Error('admin not booted yet');
      return h;
    },
    token: () => token,
  };
}

export interface ApiResponse {
  status: number;
  body: any;
  headers: Headers;
}

export async function api(
  h: AdminHarness,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; brandId?: number } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.brandId !== undefined) headers['x-brand-id'] = String(options.brandId);
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.admin.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // non-JSON bodies (metrics) stay text
  }
  return { status: res.status, body, headers: res.headers };
}

/** Current value of a counter series from /metrics, 0 when absent. */
export async function metricValue(
  h: AdminHarness,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const res = await fetch(`${h.admin.url}/metrics`);
  const text = await res.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Inserts a brand row directly (fixtures), returning its id. */
export async function insertBrand(h: AdminHarness, code = `b${uid()}`): Promise<number> {
  const rows = await h.ds.query(
    `INSERT INTO brand (brand_code, name, default_currency) VALUES ($1, $1, 'KRW') RETURNING id`,
    [code],
  );
  return Number(rows[0].id);
}

export async function insertPlayer(h: AdminHarness, brandId: number, account = `p${uid()}`): Promise<number> {
  const rows = await h.ds.query(
    `INSERT INTO player (brand_id, account, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
    [brandId, account],
  );
  return Number(rows[0].id);
}

export async function insertAgent(h: AdminHarness, account = `ag${uid()}`): Promise<number> {
  const rows = await h.ds.query(
    `INSERT INTO agent (account, password_hash) VALUES ($1, 'x') RETURNING guid`,
    [account],
  );
  return Number(rows[0].guid);
}

export async function auditRows(h: AdminHarness, where = 'true', params: unknown[] = []): Promise<any[]> {
  return h.ds.query(`SELECT * FROM admin_audit WHERE ${where} ORDER BY id`, params);
}
