// ADR-009 / seed 004 "Removed by ADR-009 (now respond 404)": the staff-coupled legacy admin routes are
// gone; every method on them answers 404 with status 5, with or without an admin token.
import { AdminHarness, api, bootAdmin, operatorToken } from './harness';

const REMOVED = [
  '/v2/admin/login',
  '/v2/agents/list',
  '/v2/agent-withdrawals/1/agree',
  '/v2/meta/menus',
  '/api/admin/user/login',
  '/api/admin/user/refresh',
  '/api/admin/pushbullet/notify',
  '/api/admin/shooter/deposits',
  '/api/admin/web/rules/list',
  '/api/admin/web/faq/1',
  '/api/admin/web/config/site',
];

describe('admin routes removed by ADR-009', () => {
  let h: AdminHarness;
  let token: string;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
  });
  afterAll(async () => h?.close());

  it.each(REMOVED)('%s answers 404 status 5 for every method', async (path) => {
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      for (const auth of [undefined, token]) {
        const res = await api(h, method, path, {
          token: auth,
          body: method === 'GET' || method === 'DELETE' ? undefined : {},
        });
        expect([method, res.status, res.body]).toEqual([
          method,
          404,
          { status: 5, msg: 'not found', data: null },
        ]);
      }
    }
  });
});
