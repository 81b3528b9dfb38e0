/**
 * `/internal/meta/*` token checks (ADR-009 per-caller internal tokens,
 * CONTRACTS §3): only the state-changing callers (agent, game, promotion,
 * recon, rolling, gateway) may trigger a top-info refresh, each with its own
 * INTERNAL_SERVICE_TOKEN_{CALLER}; the legacy shared token works only while
 * PER_CALLER_TOKEN_REQUIRED is off. Refusals are 401 with status 60.
 */
import { AdminMetaModule } from '../../apps/admin/src/meta/admin-meta.module';
import { AdminWsModule } from '../../apps/admin/src/ws/admin-ws.module';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { jwtEnv, makeKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';
import { type AdminTestApp, bootAdminFeatures } from './harness';

jest.setTimeout(60_000);

const CALLERS = ['agent', 'game', 'promotion', 'recon', 'rolling', 'gateway'] as const;
const tokenOf = (caller: string) => `tok-${caller}-0123456789`;
const LEGACY = 'legacy-shared-token-0123456789';

let db: SuiteDatabase;
let open: AdminTestApp;
let strict: AdminTestApp;

function env(perCaller: 'on' | 'off'): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const c of [...CALLERS, 'admin']) tokens[`INTERNAL_SERVICE_TOKEN_${c.toUpperCase()}`] = tokenOf(c);
  return {
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: db.appUrl,
    REDIS_URL: suiteRedisUrl(),
    INTERNAL_SERVICE_TOKEN: LEGACY,
    PER_CALLER_TOKEN_REQUIRED: perCaller,
    ...jwtEnv(makeKeyPair()),
    ...tokens,
  };
}

async function call(
  app: AdminTestApp,
  headers: Record<string, string>,
  method = 'POST',
  path = '/internal/meta/top-info/refresh',
) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: method === 'POST' ? { 'content-type': 'application/json', ...headers } : headers,
    body: method === 'POST' ? '{}' : undefined,
  });
  return { http: res.status, body: (await res.json()) as { status: number; data: any } };
}

beforeAll(async () => {
  db = await createSuiteDatabase('admin_meta');
  open = await bootAdminFeatures(env('off'), [AdminWsModule, AdminMetaModule]);
  strict = await bootAdminFeatures(env('on'), [AdminWsModule, AdminMetaModule]);
});

afterAll(async () => {
  await open?.close();
  await strict?.close();
  await db?.drop();
});

it.each(CALLERS)('lets %s refresh top-info with its own token', async (caller) => {
  const { http, body } = await call(strict, {
    'x-caller-service': caller,
    'x-internal-service-token': tokenOf(caller),
  });
  expect(http).toBe(200);
  expect(body.status).toBe(0);
  expect(body.data.brands[0]).toMatchObject({ brand_id: 1, brand_code: 'default', pending_deposits: 0 });
  expect(typeof body.data.pushed).toBe('number');
});

it.each([
  ['no headers at all', {}],
  ['a caller name without a token', { 'x-caller-service': 'game' }],
  ['a token without a caller name', { 'x-internal-service-token': tokenOf('game') }],
  ['a wrong token', { 'x-caller-service': 'game', 'x-internal-service-token': 'nope' }],
  ["another caller's token", { 'x-caller-service': 'game', 'x-internal-service-token': tokenOf('agent') }],
  [
    'a caller that does not change top-info state (admin)',
    { 'x-caller-service': 'admin', 'x-internal-service-token': tokenOf('admin') },
  ],
  ['an unknown caller', { 'x-caller-service': 'wallet', 'x-internal-service-token': tokenOf('game') }],
])('refuses %s with 401 / status 60', async (_label, headers) => {
  const { http, body } = await call(strict, headers as Record<string, string>);
  expect(http).toBe(401);
  expect(body).toEqual({ status: 60, msg: 'internal token invalid', data: null });
});

it('guards the read route the same way', async () => {
  expect((await call(strict, {}, 'GET', '/internal/meta/top-info')).http).toBe(401);
  const ok = await call(
    strict,
    { 'x-caller-service': 'recon', 'x-internal-service-token': tokenOf('recon') },
    'GET',
    '/internal/meta/top-info',
  );
  expect(ok.http).toBe(200);
  expect(ok.body.data.totals).toEqual({
    pending_deposits: 0,
    pending_withdrawals: 0,
    withdrawals_awaiting_payment: 0,
    pending_agent_withdrawals: 0,
  });
});

it('accepts the legacy shared token only while PER_CALLER_TOKEN_REQUIRED is off', async () => {
  const headers = { 'x-caller-service': 'promotion', 'x-internal-service-token': LEGACY };
  expect((await call(open, headers)).http).toBe(200);
  const refused = await call(strict, headers);
  expect(refused.http).toBe(401);
  expect(refused.body.status).toBe(60);
});

it('validates brand_id', async () => {
  const res = await fetch(`${strict.url}/internal/meta/top-info/refresh`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-caller-service': 'game',
      'x-internal-service-token': tokenOf('game'),
    },
    body: JSON.stringify({ brand_id: -3 }),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { status: number }).status).toBe(2);
});
