// Seed 004 "Money-write audit guarantees (P1-4)": every listed route calls wallet_service (admin's
// per-caller token, signed X-Brand-Id) and then writes admin_audit with the listed action, the JWT
// operator, the row's brand, status/amount/transaction_id deltas, reason and request id. Wallet failure:
// no audit row. Audit failure after wallet success: the wallet response, an ERROR log and
// admin_audit_write_failed_total{route}. Password/phone routes store only {"changed": true}/hashes;
// agent adjust-balance is the counted legacy direct write; wallet topology/policy routes are forwarded.
import { randomUUID } from 'node:crypto';
import { contactHashShort } from '@app/crypto';
import {
  AdminHarness,
  api,
  auditRows,
  adminWithRedisDown,
  bootAdmin,
  insertAgent,
  insertBrand,
  insertPlayer,
  metricValue,
  operatorToken,
  uid,
  walletOk,
} from './harness';

type Table = 'player_deposit' | 'player_withdraw' | 'agent_withdraw';

interface Case {
  name: string;
  table: Table;
  from: string;
  to: string;
  action: string;
  walletPath: (id: number) => string;
  call: (id: number) => { path: string; body?: Record<string, unknown> };
  route: string;
  channel?: string;
}

const deposit = (
  name: string,
  cmd: string,
  from: string,
  to: string,
  action: string,
  channel?: string,
): Case => ({
  name,
  table: 'player_deposit',
  from,
  to,
  action,
  channel,
  walletPath: (id) => `/internal/wallet/deposits/${id}/${cmd}`,
  call: (id) => ({ path: `/api/v1/players/deposits/${id}/${name}` }),
  route: `/api/v1/players/deposits/:id/${name}`,
});

const CASES: Case[] = [
  deposit('agree', 'approve', 'pending', 'approved', 'APPROVE_DEPOSIT'),
  deposit('decline', 'decline', 'pending', 'declined', 'DECLINE_DEPOSIT'),
  deposit('recycle', 'recycle', 'approved', 'recycled', 'RECYCLE_DEPOSIT'),
  deposit('coin-agree', 'coin-approve', 'pending', 'approved', 'APPROVE_COIN_DEPOSIT', 'coin'),
  {
    ...deposit('coin-agree', 'coin-approve', 'pending', 'approved', 'APPROVE_COIN_DEPOSIT', 'coin'),
    name: 'player/deposit/coin/agree',
    call: (id) => ({ path: '/api/v1/player/deposit/coin/agree', body: { id } }),
    route: '/api/v1/player/deposit/coin/agree',
  },
  {
    ...deposit('shooter-agree', 'approve', 'pending', 'approved', 'APPROVE_DEPOSIT'),
    call: (id) => ({ path: '/api/v1/players/deposits/shooter-agree', body: { ids: [id] } }),
    route: '/api/v1/players/deposits/shooter-agree',
  },
  ...(
    [
      ['review-agree', 'pending', 'review_agreed', 'REVIEW_AGREE_WITHDRAW'],
      ['review-decline', 'pending', 'review_declined', 'REVIEW_DECLINE_WITHDRAW'],
      ['pay-agree', 'review_agreed', 'paid', 'PAY_AGREE_WITHDRAW'],
      ['pay-decline', 'review_agreed', 'pay_declined', 'PAY_DECLINE_WITHDRAW'],
    ] as const
  ).map(([name, from, to, action]): Case => ({
    name: `withdrawals/${name}`,
    table: 'player_withdraw',
    from,
    to,
    action,
    walletPath: (id) => `/internal/wallet/withdrawals/${id}/${name}`,
    call: (id) => ({ path: `/api/v1/players/withdrawals/${id}/${name}` }),
    route: `/api/v1/players/withdrawals/:id/${name}`,
  })),
  ...(
    [
      ['agree', 'pending', 'agreed', 'AGREE_AGENT_WITHDRAW'],
      ['decline', 'pending', 'declined', 'DECLINE_AGENT_WITHDRAW'],
      ['pay', 'agreed', 'paid', 'PAY_AGENT_WITHDRAW'],
    ] as const
  ).map(([name, from, to, action]): Case => ({
    name: `agent withdrawals/${name}`,
    table: 'agent_withdraw',
    from,
    to,
    action,
    walletPath: (id) => `/internal/wallet/agent-withdrawals/${id}/${name}`,
    call: (id) => ({ path: `/api/v1/agents/withdrawals/${id}/${name}` }),
    route: `/api/v1/agents/withdrawals/:id/${name}`,
  })),
];

describe('admin money-write audit', () => {
  let h: AdminHarness;
  let token: string;
  let adminId: number;
  let brandA: number;
  let brandB: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token, adminId } = await operatorToken(h));
    brandA = await insertBrand(h);
    brandB = await insertBrand(h);
    // Test-only trigger: an admin_audit insert whose reason is FAIL_AUDIT fails, as in a partition outage.
    await h.ds.query(`
      CREATE FUNCTION test_fail_admin_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.reason = 'FAIL_AUDIT' THEN RAISE EXCEPTION 'admin_audit unavailable (test trigger)'; END IF;
        RETURN NEW;
      END $$`);
    await h.ds.query(
      `CREATE TRIGGER test_fail_admin_audit BEFORE INSERT ON admin_audit FOR EACH ROW EXECUTE FUNCTION test_fail_admin_audit()`,
    );
  });
  afterEach(() => h.resetWallet());
  afterAll(async () => h?.close());

  /** A row of `c.table` in state `c.from`, in `brandId`; returns its id and subject id. */
  async function fixture(c: Case, brandId = brandA): Promise<{ id: number; subject: number }> {
    if (c.table === 'agent_withdraw') {
      const agent = await insertAgent(h);
      const [row] = await h.ds.query(
        `INSERT INTO agent_withdraw (brand_id, agent_id, amount, status) VALUES ($1, $2, 70, $3) RETURNING id`,
        [brandId, agent, c.from],
      );
      return { id: Number(row.id), subject: agent };
    }
    const player = await insertPlayer(h, brandId);
    const extra = c.table === 'player_deposit' ? ', channel' : '';
    const values = c.table === 'player_deposit' ? ', $4' : '';
    const params = [brandId, player, c.from, ...(c.table === 'player_deposit' ? [c.channel ?? 'bank'] : [])];
    const [row] = await h.ds.query(
      `INSERT INTO ${c.table} (brand_id, player_id, amount, status${extra}) VALUES ($1, $2, 70, $3${values}) RETURNING id`,
      params,
    );
    return { id: Number(row.id), subject: player };
  }

  const statusOf = async (c: Case, id: number) =>
    (await h.ds.query(`SELECT status FROM ${c.table} WHERE id = $1`, [id]))[0].status;
  const send = (
    c: Case,
    id: number,
    options: { reason?: string; requestId?: string; brandId?: number } = {},
  ) => {
    const { path, body } = c.call(id);
    return api(h, 'POST', path, {
      token,
      brandId: options.brandId ?? brandA,
      body: { ...(body ?? {}), ...(options.reason ? { reason: options.reason } : {}) },
      headers: options.requestId ? { 'x-request-id': options.requestId } : {},
    });
  };
  const auditFor = (c: Case, subject: number) =>
    auditRows(h, `action = $1 AND resource_id = $2`, [c.action, String(subject)]);

  describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it('calls the wallet signed with admin’s token, then audits with operator, brand, deltas, reason and request id', async () => {
      const { id, subject } = await fixture(c);
      const requestId = `req-${randomUUID()}`;
      const res = await send(c, id, { reason: 'checked by ops', requestId });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(0);

      const call = h.wallet.calls.find((x) => x.path === c.walletPath(id));
      expect(call).toBeDefined();
      expect(call).toMatchObject({
        method: 'POST',
        caller: 'admin',
        tokenValid: true,
        signatureValid: true,
        brandId: brandA,
      });
      expect(call?.headers['x-request-id']).toBe(requestId);
      expect(call?.body).toMatchObject({
        id,
        amount: '70.00',
        operator_id: adminId,
        idempotency_key: `admin:${c.table}:${id}:${c.walletPath(id).split('/').pop()}`,
      });

      expect(await statusOf(c, id)).toBe(c.to);
      const rows = await auditFor(c, subject);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        brand_id: brandA,
        operator_id: String(adminId),
        resource: c.table === 'agent_withdraw' ? 'agent' : 'player',
        reason: 'checked by ops',
        request_id: requestId,
        before: { status: c.from, amount: '70.00' },
        after: { status: c.to, amount: '70.00', transaction_id: expect.stringMatching(/^wtx-/) },
      });
      // Only the money deltas, never full rows (a null transaction_id is simply absent).
      expect(Object.keys(rows[0].before).sort()).toEqual(['amount', 'status']);
      expect(Object.keys(rows[0].after).sort()).toEqual(['amount', 'status', 'transaction_id']);
    });

    it('writes no audit row and changes nothing when the wallet fails (502, status 7)', async () => {
      const { id, subject } = await fixture(c);
      h.setWallet(() => ({ status: 503, body: { status: 7, msg: 'down', data: null } }));
      const res = await send(c, id);
      if (c.name === 'shooter-agree') {
        expect(res.body.data.results).toEqual([expect.objectContaining({ ok: false, id, status: 7 })]);
      } else {
        expect([res.status, res.body.status]).toEqual([502, 7]);
      }
      expect(h.wallet.calls).toHaveLength(1);
      expect(await statusOf(c, id)).toBe(c.from);
      expect(await auditFor(c, subject)).toHaveLength(0);
    });

    it('returns the wallet response and counts admin_audit_write_failed_total when the audit insert fails', async () => {
      const { id, subject } = await fixture(c);
      const before = await metricValue(h, 'admin_audit_write_failed_total', { route: c.route });
      const res = await send(c, id, { reason: 'FAIL_AUDIT' });
      expect(res.status).toBe(200);
      const result = c.name === 'shooter-agree' ? res.body.data.results[0] : res.body.data;
      expect(result).toMatchObject({
        id,
        status: c.to,
        audited: false,
        wallet: { transaction_id: expect.stringMatching(/^wtx-/), path: c.walletPath(id) },
      });
      expect(await metricValue(h, 'admin_audit_write_failed_total', { route: c.route })).toBe(before + 1);
      expect(await auditFor(c, subject)).toHaveLength(0);
      expect(await statusOf(c, id)).toBe(c.to);
    });

    it('does not touch another brand’s row (404) or a row in the wrong state (422), and calls no wallet', async () => {
      const foreign = await fixture(c, brandB);
      const res = await send(c, foreign.id);
      if (c.name === 'shooter-agree')
        expect(res.body.data.results[0]).toMatchObject({ ok: false, status: 5 });
      else expect([res.status, res.body.status]).toEqual([404, 5]);
      const done = await fixture({ ...c, from: 'paid_out_elsewhere' });
      const wrong = await send(c, done.id);
      if (c.name === 'shooter-agree')
        expect(wrong.body.data.results[0]).toMatchObject({ ok: false, status: 1 });
      else expect([wrong.status, wrong.body.status]).toEqual([422, 1]);
      expect(h.wallet.calls).toHaveLength(0);
      expect(await statusOf(c, foreign.id)).toBe(c.from);
    });
  });

  it('passes a wallet business refusal through (422, status 1) without auditing', async () => {
    const c = CASES[0];
    const { id, subject } = await fixture(c);
    h.setWallet(() => ({ status: 422, body: { status: 1, msg: 'insufficient balance', data: null } }));
    const res = await send(c, id);
    expect([res.status, res.body.status, res.body.msg]).toEqual([422, 1, 'insufficient balance']);
    expect(await auditFor(c, subject)).toHaveLength(0);
  });

  it('refuses coin approval of a non-coin deposit', async () => {
    const c = CASES.find((x) => x.action === 'APPROVE_COIN_DEPOSIT') as Case;
    const { id } = await fixture({ ...c, channel: 'bank' });
    expect((await send(c, id)).status).toBe(422);
    expect(h.wallet.calls).toHaveLength(0);
  });

  describe('the row stays locked while the wallet decides', () => {
    const c = CASES.find((x) => x.name === 'agree') as Case;

    /** Holds every wallet call until `release()`; `called` settles when the first one arrives. */
    function holdWallet(): { called: Promise<void>; release: () => void } {
      let arrived!: () => void;
      let release!: () => void;
      const called = new Promise<void>((resolve) => (arrived = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      h.setWallet(async (call) => {
        arrived();
        await gate;
        return walletOk(call);
      });
      return { called, release };
    }

    it('a deposit expiry issued during the wallet call waits, then finds nothing pending', async () => {
      const { id, subject } = await fixture(c);
      const wallet = holdWallet();
      const approving = send(c, id);
      await wallet.called;
      await expect(
        h.ds.query(`SELECT id FROM player_deposit WHERE brand_id = $1 AND id = $2 FOR UPDATE NOWAIT`, [
          brandA,
          id,
        ]),
      ).rejects.toMatchObject({ code: '55P03' });
      // admin_worker's expiry of the same row, as it would run now.
      const expiring = h.ds.query(
        `UPDATE player_deposit SET status = 'expired' WHERE brand_id = $1 AND id = $2 AND status = 'pending'`,
        [brandA, id],
      );
      wallet.release();
      const res = await approving;
      expect([res.status, res.body.status]).toEqual([200, 0]);
      const [, expired] = await expiring;
      expect(expired).toBe(0);
      expect(await statusOf(c, id)).toBe('approved');
      expect(await auditFor(c, subject)).toHaveLength(1);
    });

    it('a second approval of the same row waits and is refused (422) without a second wallet call or audit row', async () => {
      const { id, subject } = await fixture(c);
      const wallet = holdWallet();
      const first = send(c, id);
      await wallet.called;
      const second = send(c, id);
      wallet.release();
      const answers = await Promise.all([first, second]);
      expect(answers.map((r) => [r.status, r.body.status])).toEqual([
        [200, 0],
        [422, 1],
      ]);
      expect(h.wallet.calls.filter((x) => x.path === c.walletPath(id))).toHaveLength(1);
      expect(await auditFor(c, subject)).toHaveLength(1);
    });
  });

  describe('players/{id}/adjust', () => {
    const adjust = (player: number, body: Record<string, unknown>, brandId = brandA) =>
      api(h, 'POST', `/api/v1/players/${player}/adjust`, { token, brandId, body });

    it('calls the wallet adjust command and audits ADJUST_BALANCE', async () => {
      const player = await insertPlayer(h, brandA);
      const res = await adjust(player, { amount: '-12.50', reason: 'bonus clawback' });
      expect(res.body.data).toMatchObject({ player_id: player, amount: '-12.50', audited: true });
      expect(h.wallet.lastCall()).toMatchObject({
        path: `/internal/wallet/players/${player}/adjust`,
        signatureValid: true,
        tokenValid: true,
        brandId: brandA,
      });
      const [row] = await auditRows(h, `action = 'ADJUST_BALANCE' AND resource_id = $1`, [String(player)]);
      expect(row).toMatchObject({
        brand_id: brandA,
        operator_id: String(adminId),
        reason: 'bonus clawback',
        after: { amount: '-12.50', status: 'done' },
      });
    });

    it('audits nothing when the wallet is unreachable', async () => {
      const player = await insertPlayer(h, brandA);
      h.setWallet(() => ({ status: 200, body: { status: 0, msg: 'ok', data: null }, delayMs: 3000 }));
      const res = await adjust(player, { amount: '5' });
      expect([res.status, res.body.status]).toEqual([502, 7]);
      expect(
        await auditRows(h, `action = 'ADJUST_BALANCE' AND resource_id = $1`, [String(player)]),
      ).toHaveLength(0);
    });

    it('counts an audit failure and still answers with the wallet result', async () => {
      const player = await insertPlayer(h, brandA);
      const before = await metricValue(h, 'admin_audit_write_failed_total', {
        route: '/api/v1/players/:id/adjust',
      });
      const res = await adjust(player, { amount: '5', reason: 'FAIL_AUDIT' });
      expect(res.body.data).toMatchObject({ audited: false, wallet: { transaction_id: expect.any(String) } });
      expect(
        await metricValue(h, 'admin_audit_write_failed_total', { route: '/api/v1/players/:id/adjust' }),
      ).toBe(before + 1);
    });

    it('refuses a zero or malformed amount and another brand’s player', async () => {
      const player = await insertPlayer(h, brandA);
      expect((await adjust(player, { amount: '0' })).status).toBe(400);
      expect((await adjust(player, { amount: '1.234' })).status).toBe(400);
      expect((await adjust(player, { amount: '5' }, brandB)).status).toBe(404);
      expect(h.wallet.calls).toHaveLength(0);
    });
  });

  describe('account edits', () => {
    it('edit-password stores only {"changed": true} and ends the player session', async () => {
      const account = `pw${uid()}`;
      const player = await insertPlayer(h, brandA, account);
      await h.redis.set(
        `user-session:brand:${brandA}:${account}`,
        JSON.stringify({ jti: 'j', player_id: player }),
      );
      const res = await api(h, 'POST', `/api/v1/players/${player}/edit-password`, {
        token,
        brandId: brandA,
        body: { password: 'N3w-secret!' },
      });
      expect(res.body.data).toEqual({ player_id: player, changed: true, audited: true });
      const [row] = await auditRows(h, `action = 'EDIT_PLAYER_PASSWORD' AND resource_id = $1`, [
        String(player),
      ]);
      expect(row).toMatchObject({
        brand_id: brandA,
        operator_id: String(adminId),
        payload: { changed: true },
        before: null,
        after: null,
      });
      const [stored] = await h.ds.query(`SELECT password_hash FROM player WHERE id = $1`, [player]);
      expect(JSON.stringify(row)).not.toContain('N3w-secret!');
      expect(JSON.stringify(row)).not.toContain(stored.password_hash);
      expect(await h.redis.get(`user-session:brand:${brandA}:${account}`)).toBeNull();
      expect(h.wallet.calls).toHaveLength(0);
    });

    it('edit-phone stores sha256-first-8 hashes of the old and new numbers only', async () => {
      const player = await insertPlayer(h, brandA);
      await api(h, 'POST', `/api/v1/players/${player}/edit-phone`, {
        token,
        brandId: brandA,
        body: { phone: '+821011112222' },
      });
      await api(h, 'POST', `/api/v1/players/${player}/edit-phone`, {
        token,
        brandId: brandA,
        body: { phone: '010-3333-4444' },
      });
      const rows = await auditRows(h, `action = 'EDIT_PLAYER_PHONE' AND resource_id = $1`, [String(player)]);
      expect(rows.map((r) => r.payload)).toEqual([
        { old_phone_hash: null, new_phone_hash: contactHashShort('+821011112222'), changed: true },
        {
          old_phone_hash: contactHashShort('+821011112222'),
          new_phone_hash: contactHashShort('01033334444'),
          changed: true,
        },
      ]);
      expect(JSON.stringify(rows)).not.toMatch(/1111|3333|4444/);
      const [stored] = await h.ds.query(`SELECT phone_num FROM player WHERE id = $1`, [player]);
      expect(stored.phone_num).toMatch(/^aesgcm:v1:/);
      const bad = await api(h, 'POST', `/api/v1/players/${player}/edit-phone`, {
        token,
        brandId: brandA,
        body: { phone: '12ab' },
      });
      expect([bad.status, bad.body.status]).toEqual([400, 2]);
    });

    it('agent reset-password, lock, unlock and update-commission are audited without secrets', async () => {
      const agent = await insertAgent(h);
      const post = (suffix: string, body: Record<string, unknown> = {}) =>
        api(h, 'POST', `/api/v1/agents/${agent}/${suffix}`, { token, body });
      expect((await post('reset-password', { password: 'ag-secret-9' })).body.data).toMatchObject({
        changed: true,
        audited: true,
      });
      expect((await post('lock', { reason: 'fraud check' })).body.data).toMatchObject({ locked: true });
      expect((await post('unlock')).body.data).toMatchObject({ locked: false });
      expect((await post('update-commission', { commission_rate: '2.5' })).body.data).toMatchObject({
        commission_rate: '2.5000',
      });
      const rows = await auditRows(h, `resource = 'agent' AND resource_id = $1`, [String(agent)]);
      expect(rows.map((r) => [r.action, r.brand_id, r.operator_id])).toEqual([
        ['RESET_AGENT_PASSWORD', 0, String(adminId)],
        ['LOCK_AGENT', 0, String(adminId)],
        ['UNLOCK_AGENT', 0, String(adminId)],
        ['UPDATE_AGENT_COMMISSION', 0, String(adminId)],
      ]);
      expect(rows[0].payload).toEqual({ changed: true });
      expect(rows[1]).toMatchObject({
        before: { status: 'unlocked' },
        after: { status: 'locked' },
        reason: 'fraud check',
      });
      expect(rows[3].payload).toEqual({ commission_rate_before: '0.0000', commission_rate_after: '2.5000' });
      expect(JSON.stringify(rows)).not.toContain('ag-secret-9');
      const [stored] = await h.ds.query(`SELECT locked FROM agent WHERE guid = $1`, [agent]);
      expect(stored.locked).toBe(false);
    });

    it('agent reset-password and lock revoke every live agent token; unlock revokes nothing', async () => {
      const agent = await insertAgent(h);
      const post = (suffix: string, body: Record<string, unknown> = {}) =>
        api(h, 'POST', `/api/v1/agents/${agent}/${suffix}`, { token, body });
      const exp = Math.floor(Date.now() / 1000) + 3600;
      // What the agent service records at login (agent-session:active:{id}, scored by expiry).
      const live = async () => {
        const jti = randomUUID();
        await h.redis.zadd(`agent-session:active:${agent}`, exp, jti);
        return jti;
      };
      const denied = async (jti: string) => (await h.redis.exists(`agent-session:deny:${jti}`)) === 1;

      const beforeReset = [await live(), await live()];
      expect((await post('reset-password', { password: 'ag-secret-10' })).body.status).toBe(0);
      for (const jti of beforeReset) expect(await denied(jti)).toBe(true);
      expect(await h.redis.exists(`agent-session:active:${agent}`)).toBe(0);
      expect(await h.redis.ttl(`agent-session:deny:${beforeReset[0]}`)).toBeGreaterThan(3500);

      const beforeLock = await live();
      expect((await post('lock', { reason: 'takeover' })).body.status).toBe(0);
      expect(await denied(beforeLock)).toBe(true);

      const afterUnlock = await live();
      expect((await post('unlock')).body.status).toBe(0);
      expect(await denied(afterUnlock)).toBe(false);
    });

    it('agent adjust-balance is the legacy direct write: counted, logged per brand, audited, no wallet call', async () => {
      const agent = await insertAgent(h);
      await api(h, 'PUT', `/api/v1/agents/${agent}/brands/${brandA}`, { token, body: { status: 'enabled' } });
      const before = await metricValue(h, 'agent_balance_legacy_write_total', { change_type: 'manual_add' });
      const res = await api(h, 'POST', `/api/v1/agents/${agent}/adjust-balance`, {
        token,
        brandId: brandA,
        body: { amount: '100.50', reason: 'top up' },
      });
      expect(res.body.data).toMatchObject({
        balance_before: '0.00',
        balance_after: '100.50',
        change_type: 'manual_add',
        audited: true,
      });
      expect(await metricValue(h, 'agent_balance_legacy_write_total', { change_type: 'manual_add' })).toBe(
        before + 1,
      );
      expect(
        await h.ds.query(`SELECT brand_id, change_type, amount FROM agent_balance_log WHERE agent_id = $1`, [
          agent,
        ]),
      ).toEqual([{ brand_id: brandA, change_type: 'manual_add', amount: '100.50' }]);
      const [row] = await auditRows(h, `action = 'ADJUST_AGENT_BALANCE' AND resource_id = $1`, [
        String(agent),
      ]);
      expect(row).toMatchObject({
        brand_id: brandA,
        before: { amount: '0.00' },
        after: { amount: '100.50' },
        reason: 'top up',
      });
      expect(h.wallet.calls).toHaveLength(0);

      const overdraw = await api(h, 'POST', `/api/v1/agents/${agent}/adjust-balance`, {
        token,
        brandId: brandA,
        body: { amount: '-500' },
      });
      expect([overdraw.status, overdraw.body.status]).toEqual([422, 1]);
      const notAllowed = await api(h, 'POST', `/api/v1/agents/${agent}/adjust-balance`, {
        token,
        brandId: brandB,
        body: { amount: '1' },
      });
      expect([notAllowed.status, notAllowed.body.status]).toEqual([403, 52]);
      expect((await h.ds.query(`SELECT balance FROM agent WHERE guid = $1`, [agent]))[0].balance).toBe(
        '100.50',
      );
    });
  });

  describe('wallet topology and policy forwarding', () => {
    it('forwards with the brand pinned, signs writes, relays the answer and audits the write', async () => {
      h.setWallet((call) => ({
        status: 200,
        body: { status: 0, msg: 'ok', data: { path: call.path, query: call.query, body: call.body } },
      }));
      const read = await api(h, 'GET', '/api/v1/wallet/topologies/active?kind=main', {
        token,
        brandId: brandA,
      });
      expect(read.body.data).toEqual({
        path: '/internal/wallet/topologies/active',
        query: { kind: 'main' },
        body: null,
      });
      expect(h.wallet.lastCall()).toMatchObject({
        method: 'GET',
        brandId: brandA,
        tokenValid: true,
        caller: 'admin',
      });

      const write = await api(h, 'PUT', '/api/v1/wallet/policies/7', {
        token,
        brandId: brandA,
        body: { max_bet: 100 },
      });
      expect(write.body.data).toMatchObject({ path: '/internal/wallet/policies/7', body: { max_bet: 100 } });
      expect(h.wallet.lastCall()).toMatchObject({ method: 'PUT', brandId: brandA, signatureValid: true });
      expect(await auditRows(h, `resource = 'wallet_policy' AND brand_id = $1`, [brandA])).toEqual([
        expect.objectContaining({
          action: 'PUT_WALLET_POLICY',
          operator_id: String(adminId),
          resource_id: 'policies/7',
        }),
      ]);
    });

    it('relays wallet errors as they are and requires a brand', async () => {
      h.setWallet(() => ({ status: 409, body: { status: 8, msg: 'topology exists', data: null } }));
      const res = await api(h, 'POST', '/api/v1/wallet/topologies', {
        token,
        brandId: brandA,
        body: { name: 'x' },
      });
      expect([res.status, res.body]).toEqual([409, { status: 8, msg: 'topology exists', data: null }]);
      const noBrand = await api(h, 'GET', '/api/v1/wallet/policies', { token });
      expect([noBrand.status, noBrand.body.status]).toEqual([400, 54]);
    });
  });
});

describe('admin agent reset-password and lock with Redis down', () => {
  const down = adminWithRedisDown();

  it('changes nothing and answers status 7 when the agent tokens cannot be revoked', async () => {
    const h = down.h();
    const token = down.token();
    const agent = await insertAgent(h);
    const [before] = await h.ds.query(`SELECT password_hash, locked FROM agent WHERE guid = $1`, [agent]);
    for (const [suffix, body] of [
      ['reset-password', { password: 'ag-secret-11' }],
      ['lock', { reason: 'takeover' }],
    ] as const) {
      const res = await api(h, 'POST', `/api/v1/agents/${agent}/${suffix}`, { token, body });
      expect([res.status, res.body.status]).toEqual([502, 7]);
    }
    const [after] = await h.ds.query(`SELECT password_hash, locked FROM agent WHERE guid = $1`, [agent]);
    expect(after).toEqual(before);
    expect(await auditRows(h, `resource = 'agent' AND resource_id = $1`, [String(agent)])).toEqual([]);
    // Unlocking needs no revocation, so it still works.
    const unlock = await api(h, 'POST', `/api/v1/agents/${agent}/unlock`, { token, body: {} });
    expect(unlock.body.status).toBe(0);
  });
});
