/**
 * Legacy aliases (seed 001 `legacy_routes.py`): each alias answers exactly
 * like its new-shape twin. The table has one runner per alias; each runner is
 * executed once against the twin and once against the alias, with equal
 * fresh state where the route changes something, and the two answers must
 * match after volatile values (ids, timestamps, tokens) are normalised. The
 * table must cover every alias the app registers.
 */
import { decodeJwt } from 'jose';
import { legacyAliases } from '../../apps/agent/src/http/route';
import { buildPortal, type PortalFixture } from './portal-fixture';
import { type CallResult, type Harness, startHarness, randomPhone } from './support';

type Runner = (path: string) => Promise<CallResult>;

const VOLATILE = new Set([
  'id',
  'coupon_id',
  'withdraw_id',
  'created_at',
  'recycled_at',
  'expires_at',
  'processed_at',
  'read_at',
  'last_login_at',
]);

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'token' && typeof v === 'string') {
      const { jti: _j, iat: _i, exp: _e, ...claims } = decodeJwt(v);
      out[key] = claims;
    } else if (key === 'reset_token') out[key] = '<token>';
    else if (VOLATILE.has(key) && v !== null) out[key] = `<${key}>`;
    else out[key] = normalise(v);
  }
  return out;
}

describe('legacy aliases answer like their new-shape twins', () => {
  let h: Harness;
  let f: PortalFixture;
  const cases = new Map<string, Runner>();

  beforeAll(async () => {
    h = await startHarness('legacy');
    f = await buildPortal(h);
    const A = { host: f.hostA, token: f.tokenA };
    const get =
      (query?: Record<string, string | number>): Runner =>
      (path) =>
        h.call('GET', path, { ...A, query });
    const post =
      (body: unknown): Runner =>
      (path) =>
        h.call('POST', path, { ...A, body });
    const freshAgent = async () => {
      const agent = await h.createAgent({ balance: '100000', bank: true, phone: randomPhone() });
      await h.setAgentBrand(agent.id, f.alpha, 'enabled');
      return { agent, token: await h.login(agent, f.hostA) };
    };

    cases.set('POST /user/login', (path) =>
      h.call('POST', path, { host: f.hostA, body: { account: f.top.account, password: f.top.password } }),
    );
    cases.set('POST /user/refresh_token', post({}));
    cases.set('GET /user/info', get());
    cases.set('GET /user/top_info', get());
    cases.set('POST /user/edit/password', async (path) => {
      const { agent, token } = await freshAgent();
      const wrong = await h.call('POST', path, {
        host: f.hostA,
        token,
        body: { old_password: 'not-it', new_password: 'whatever-1' },
      });
      const right = await h.call('POST', path, {
        host: f.hostA,
        token,
        body: { old_password: agent.password, new_password: 'whatever-1' },
      });
      return { ...right, data: { wrong: [wrong.status, wrong.msg], right: right.data } };
    });
    cases.set('POST /user/edit/phone/send-sms', async (path) => {
      const { token } = await freshAgent();
      return h.call('POST', path, { host: f.hostA, token, body: { phone: '+821013572468' } });
    });
    cases.set('POST /user/edit/phone', async (path) => {
      const { token } = await freshAgent();
      const phone = randomPhone();
      await h.call('POST', '/agent/edit/phone/send-sms', { host: f.hostA, token, body: { phone } });
      const wrong = await h.call('POST', path, { host: f.hostA, token, body: { phone, code: 'abc' } });
      const right = await h.call('POST', path, {
        host: f.hostA,
        token,
        body: { phone, code: h.sms.lastCode(phone) },
      });
      return { ...right, data: { wrong: [wrong.status, wrong.msg], right: right.data } };
    });
    cases.set('POST /user/edit/bank/send-sms', async (path) => {
      const { token } = await freshAgent();
      return h.call('POST', path, { host: f.hostA, token, body: {} });
    });
    cases.set('POST /user/edit/bank', async (path) => {
      const { agent, token } = await freshAgent();
      await h.call('POST', '/agent/edit/bank/send-sms', { host: f.hostA, token, body: {} });
      return h.call('POST', path, {
        host: f.hostA,
        token,
        body: {
          bank_id: 'WOORI',
          bank_num: '1002-333-444555',
          holder_name: 'Legacy',
          code: h.sms.lastCode(agent.phone as string),
        },
      });
    });
    cases.set('POST /user/forget', (path) =>
      h.call('POST', path, { host: f.hostA, body: { contact: '+821000011111' } }),
    );
    cases.set('GET /home/summary', get());
    const end = new Date().toISOString().slice(0, 10);
    cases.set('GET /home/statistic/daily', get({ end }));
    cases.set('GET /agent/statisticDaily', get({ end }));
    cases.set('GET /withdraw/init', get());
    cases.set('POST /withdraw/add', async (path) => {
      const { token } = await freshAgent();
      const low = await h.call('POST', path, { host: f.hostA, token, body: { amount: '1' } });
      const ok = await h.call('POST', path, { host: f.hostA, token, body: { amount: '12345.67' } });
      return { ...ok, data: { low: [low.status, low.msg], ok: ok.data } };
    });
    cases.set('GET /withdraw/list', get({ size: 5 }));
    cases.set('GET /player/list', get());
    cases.set('GET /player/detail', get({ player_id: f.players.p1 }));
    cases.set('GET /player/deposit/list', get());
    cases.set('GET /player/withdraw/list', get());
    cases.set('GET /agent/agentStatistic', get());
    cases.set('GET /agent/agentStatisticDaily', get({ agent_id: f.sub.id }));
    cases.set('GET /bank/list', get());
    cases.set('GET /messages/list', get());
    cases.set('GET /messages/unread/count', get());
    cases.set('POST /messages/read', post({ ids: [] }));
    cases.set('GET /messages/{id}', (path) => h.call('GET', path.replace('{id}', String(f.messages.m2)), A));
    cases.set('POST /coupon/grant', post({ player_id: f.players.p1, amount: '77.70', remark: 'legacy' }));
    cases.set('POST /coupon/recycle', async (path) => {
      const granted = await h.call('POST', '/agent/coupon/grant', {
        ...A,
        body: { player_id: f.players.p2, amount: '10' },
      });
      return h.call('POST', path, { ...A, body: { coupon_id: granted.data.id, reason: 'legacy' } });
    });
    cases.set('GET /coupon/logs', get({ size: 3 }));
    cases.set('GET /coupon/recycle/logs', get({ size: 3 }));
    cases.set('GET /provider/list', get());
    cases.set('GET /provider/percentage', get());
    cases.set('GET /provider/sub/percentage', get({ agent_id: f.sub.id }));
    cases.set(
      'POST /provider/sub/percentage',
      post({ agent_id: f.sub.id, items: [{ provider_id: f.providers.p1, percentage: '0.0400' }] }),
    );
    cases.set('GET /provider/income', get());
    cases.set('GET /common/agent_min_withdrawal_limit', get());
  });
  afterAll(async () => h?.close());

  it('has a case for every registered alias', () => {
    const registered = legacyAliases()
      .map((a) => `${a.method} ${a.path}`)
      .sort();
    expect([...cases.keys()].sort()).toEqual(registered);
    // The seed's alias families are all present.
    for (const prefix of [
      '/user/',
      '/home/',
      '/withdraw/',
      '/player/',
      '/provider/',
      '/messages/',
      '/bank/list',
      '/common/',
      '/coupon/',
      '/agent/agentStatistic',
      '/agent/statisticDaily',
    ]) {
      expect(registered.some((key) => key.includes(` ${prefix}`))).toBe(true);
    }
  });

  it.each(legacyAliases().map((a) => [`${a.method} ${a.path}`, a.twin] as const))(
    '%s answers like %s',
    async (key, twin) => {
      const run = cases.get(key);
      if (!run) throw new Error(`no case for ${key}`);
      const expected = await run(twin);
      const actual = await run(key.slice(key.indexOf(' ') + 1));
      expect(expected.status).not.toBe(5);
      expect({
        http: actual.http,
        status: actual.status,
        msg: actual.msg,
        data: normalise(actual.data),
      }).toEqual({
        http: expected.http,
        status: expected.status,
        msg: expected.msg,
        data: normalise(expected.data),
      });
    },
  );

  it('hides nothing behind a legacy alias that the twin would refuse (brand checks hold)', async () => {
    const onBeta = await h.call('GET', '/user/info', { host: f.hostB, token: f.tokenA });
    const twin = await h.call('GET', '/agent/info', { host: f.hostB, token: f.tokenA });
    expect(onBeta).toMatchObject({ http: 403, status: 51 });
    expect(twin).toMatchObject({ http: 403, status: 51 });
    expect((await h.call('GET', '/home/summary', { host: f.hostA })).status).toBe(3);
  });
});
