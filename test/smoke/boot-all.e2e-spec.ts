import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { flushSuiteRedis, suiteRedisUrl } from '../support/redis';
import { makeKeyPair } from '../support/keys';
import { APPS, startApp, type RunningApp } from '../support/processes';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Smoke: every built app boots against a real, migrated PostgreSQL and Redis,
 * answers /health with its service name and mode (CONTRACTS §8) and serves
 * Prometheus text on /metrics with the enforcement gauge.
 */
const LABELS: Record<string, string> = {
  gateway: 'gateway',
  player: 'player_service',
  'player-worker': 'player_worker',
  agent: 'agent_service',
  'agent-worker': 'agent_worker',
  admin: 'admin_service',
  'admin-worker': 'admin_worker',
};

describe('every app boots against real PostgreSQL and Redis', () => {
  jest.setTimeout(120_000);
  let db: SuiteDatabase;
  const running: RunningApp[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createSuiteDatabase('smoke');
    const redisUrl = suiteRedisUrl();
    await flushSuiteRedis(redisUrl);
    const keys = makeKeyPair();
    const dir = mkdtempSync(join(tmpdir(), 'smoke-'));
    env = {
      MULTI_BRAND_ENFORCEMENT: 'observe',
      DATABASE_URL: db.appUrl,
      REDIS_URL: redisUrl,
      JWT_PRIVATE_KEY: keys.privateKeyPem,
      JWT_KID: keys.kid,
      JWT_PUBLIC_KEYS: JSON.stringify({ [keys.kid]: keys.publicKeyPem }),
      INTERNAL_SERVICE_TOKEN_GATEWAY: 'gw-token',
      INTERNAL_SERVICE_TOKEN_ADMIN: 'admin-token',
      INTERNAL_SERVICE_TOKEN_AGENT: 'agent-token',
      BRAND_SIGNING_KEY: 'signing-key',
      AES_KEY: 'k'.repeat(32),
      AES_IV: 'i'.repeat(16),
      PASSWORD_SALT: 'pepper',
      WORKER_HEARTBEAT_FILE: join(dir, 'heartbeat'),
    };
  });

  afterAll(async () => {
    await Promise.all(running.map((app) => app.stop()));
    await db?.drop();
  });

  it.each(APPS)('%s answers /health and /metrics', async (app) => {
    const proc = await startApp(app, { ...env, WORKER_HEARTBEAT_FILE: `${env.WORKER_HEARTBEAT_FILE}-${app}` });
    running.push(proc);
    const health = await fetch(`${proc.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const body = (await health.json()) as { status: number; data: Record<string, unknown> };
    expect(body.status).toBe(0);
    expect(body.data.service).toBe(LABELS[app]);
    expect(body.data.multi_brand_enforcement).toBe('observe');
    expect((body.data.checks as Record<string, string>).redis).toBe('ok');
    if (app !== 'gateway') expect((body.data.checks as Record<string, string>).db).toBe('ok');

    const metrics = await fetch(`${proc.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain(`multi_brand_enforcement_mode{service="${LABELS[app]}"} 1`);
  });
});
