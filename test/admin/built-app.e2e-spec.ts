// CONTRACTS §10: the built admin starts with `node dist/apps/admin/main.js` from environment variables
// alone; an operator made by create-operator logs in; /openapi.json and /docs are served without the
// admin JWT (seed 004 lists them among the paths brand resolution skips).
import { runCli } from '../../apps/cli/src/cli';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { type RunningApp, startApp } from '../support/processes';
import { suiteRedisUrl } from '../support/redis';

describe('built admin app', () => {
  let db: SuiteDatabase;
  let admin: RunningApp;

  beforeAll(async () => {
    db = await createSuiteDatabase('admin_built');
    admin = await startApp('admin', {
      MULTI_BRAND_ENFORCEMENT: 'observe',
      DATABASE_URL: db.appUrl,
      REDIS_URL: suiteRedisUrl(),
      PASSWORD_SALT: 'built-salt',
      LOG_LEVEL: 'warn',
    });
  }, 30_000);
  afterAll(async () => {
    await admin?.stop();
    await db?.drop();
  });

  it('logs in an operator created by the CLI and serves the API', async () => {
    const out: string[] = [];
    const code = await runCli(['create-operator', '--account', 'built_op', '--password', 'built-password'], {
      env: { DATABASE_URL: db.appUrl, PASSWORD_SALT: 'built-salt' },
      out: (l) => out.push(l),
      err: () => undefined,
    });
    expect(code).toBe(0);
    const login = await fetch(`${admin.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'built_op', password: 'built-password' }),
    });
    const body = (await login.json()) as any;
    expect(`operator_id=${body.data.admin_id}`).toBe(out[1]);
    const brands = await fetch(`${admin.url}/api/v1/brands`, {
      headers: { authorization: `Bearer ${body.data.token}` },
    });
    expect(((await brands.json()) as any).data).toEqual([expect.objectContaining({ brand_code: 'default' })]);
    expect(admin.output()).not.toContain('built-password');
  });

  it('serves /openapi.json and /docs without authentication', async () => {
    const doc = (await (await fetch(`${admin.url}/openapi.json`)).json()) as any;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/brands',
        '/api/v1/brands/{brand_id}/config/import',
        '/api/v1/logs/{kind}',
      ]),
    );
    expect((await fetch(`${admin.url}/docs`)).status).toBe(200);
  });

  it('answers removed ADR-009 routes with 404 status 5', async () => {
    const res = await fetch(`${admin.url}/api/admin/user/login`, { method: 'POST' });
    expect([res.status, await res.json()]).toEqual([404, { status: 5, msg: 'not found', data: null }]);
  });
});
