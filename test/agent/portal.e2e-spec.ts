/**
 * The agent portal's route groups over real data (seed 001; issue 5 point 1:
 * statistics come from the request brand's player, deposit, withdrawal and
 * coupon tables): each group's happy path and its brand cases (rows of the
 * other brand, of another agent, or of a brand the sub-agent is not in never
 * show).
 */
import { buildPortal, daysAgoIso, type PortalFixture } from './portal-fixture';
import { type Harness, pii, startHarness } from './support';

describe('agent portal', () => {
  let h: Harness;
  let f: PortalFixture;
  const A = () => ({ host: f.hostA, token: f.tokenA });
  const B = () => ({ host: f.hostB, token: f.tokenB });

  beforeAll(async () => {
    h = await startHarness('portal');
    f = await buildPortal(h);
  });
  afterAll(async () => h?.close());

  describe('/agent/home', () => {
    it("summarises the agent's own players in the request brand only", async () => {
      const res = await h.call('GET', '/agent/home/summary', A());
      expect(res.status).toBe(0);
      expect(res.data).toEqual({
        brand_id: f.alpha,
        balance: '100000.00',
        player_count: 2,
        new_players_today: 2,
        sub_agent_count: 1,
        deposit_count: 2,
        deposit_amount: '15000.00',
        withdraw_count: 1,
        withdraw_amount: '4000.00',
        today_deposit_amount: '10000.00',
        today_withdraw_amount: '4000.00',
        coupon_amount: '0.00',
        pending_withdraw_amount: '0.00',
      });
      const beta = await h.call('GET', '/agent/home/summary', B());
      expect(beta.data).toMatchObject({
        brand_id: f.beta,
        player_count: 1,
        deposit_amount: '99999.00',
        withdraw_amount: '50000.00',
        sub_agent_count: 1,
      });
    });

    it('reports per-day figures over a range', async () => {
      const end = new Date().toISOString().slice(0, 10);
      const start = daysAgoIso(2).slice(0, 10);
      const res = await h.call('GET', '/agent/home/statistic/daily', { ...A(), query: { start, end } });
      expect(res.status).toBe(0);
      expect(res.data).toHaveLength(3);
      expect(res.data[0]).toEqual({
        day: start,
        registrations: 0,
        deposit_count: 1,
        deposit_amount: '5000.00',
        withdraw_count: 0,
        withdraw_amount: '0.00',
        net_amount: '5000.00',
      });
      expect(res.data[2]).toEqual({
        day: end,
        registrations: 2,
        deposit_count: 1,
        deposit_amount: '10000.00',
        withdraw_count: 1,
        withdraw_amount: '4000.00',
        net_amount: '6000.00',
      });
      expect((await h.call('GET', '/agent/home/statistic/daily', A())).data).toHaveLength(7);
    });

    it('validates the range', async () => {
      expect(
        (await h.call('GET', '/agent/home/statistic/daily', { ...A(), query: { start: '2026-02-30' } }))
          .status,
      ).toBe(2);
      expect(
        (
          await h.call('GET', '/agent/home/statistic/daily', {
            ...A(),
            query: { start: '2020-01-01', end: '2026-01-01' },
          })
        ).status,
      ).toBe(2);
      expect(
        (
          await h.call('GET', '/agent/home/statistic/daily', {
            ...A(),
            query: { start: '2026-01-05', end: '2026-01-01' },
          })
        ).status,
      ).toBe(2);
    });
  });

  describe('/agent/player', () => {
    it("lists only the agent's players of the request brand, with money totals and masked phones", async () => {
      const res = await h.call('GET', '/agent/player/list', A());
      expect(res.data.total).toBe(2);
      expect(res.data.items.map((p: { player_id: number }) => p.player_id).sort()).toEqual(
        [f.players.p1, f.players.p2].sort(),
      );
      const p1 = res.data.items.find((p: { player_id: number }) => p.player_id === f.players.p1);
      expect(p1).toMatchObject({
        deposit_amount: '15000.00',
        withdraw_amount: '4000.00',
        status: 'enabled',
        phone: '*********8888',
      });
      const paged = await h.call('GET', '/agent/player/list', { ...A(), query: { page: 2, size: 1 } });
      expect(paged.data).toMatchObject({ total: 2, page: 2, size: 1 });
      expect(paged.data.items).toHaveLength(1);
      const beta = await h.call('GET', '/agent/player/list', B());
      expect(beta.data.items.map((p: { player_id: number }) => p.player_id)).toEqual([f.players.pBeta]);
    });

    it('filters by account prefix, treating LIKE wildcards literally', async () => {
      const { rows } = await h.pg.query(`SELECT account FROM player WHERE id = $1`, [f.players.p1]);
      const hit = await h.call('GET', '/agent/player/list', { ...A(), query: { account: rows[0].account } });
      expect(hit.data.items.map((p: { player_id: number }) => p.player_id)).toEqual([f.players.p1]);
      expect(
        (await h.call('GET', '/agent/player/list', { ...A(), query: { account: '%' } })).data.total,
      ).toBe(0);
    });

    it('hides players of other agents and other brands', async () => {
      expect(
        (await h.call('GET', '/agent/player/detail', { ...A(), query: { player_id: f.players.p1 } })).data
          .player_id,
      ).toBe(f.players.p1);
      for (const id of [f.players.pOther, f.players.pBeta, f.players.p3]) {
        expect(
          await h.call('GET', '/agent/player/detail', { ...A(), query: { player_id: id } }),
        ).toMatchObject({ http: 404, status: 5 });
      }
    });

    it('answers an id past the database range with status 2, not 500', async () => {
      const huge = '99999999999999999999';
      expect(
        await h.call('GET', '/agent/player/detail', { ...A(), query: { player_id: huge } }),
      ).toMatchObject({
        http: 200,
        status: 2,
      });
      expect(await h.call('GET', `/agent/messages/${huge}`, A())).toMatchObject({ http: 200, status: 2 });
    });

    it("lists deposits and withdrawals of the agent's players", async () => {
      const deposits = await h.call('GET', '/agent/player/deposit/list', A());
      expect(deposits.data.total).toBe(3);
      expect(deposits.data.items.map((d: { amount: string }) => d.amount).sort()).toEqual([
        '10000.00',
        '5000.00',
        '7000.00',
      ]);
      const one = await h.call('GET', '/agent/player/deposit/list', {
        ...A(),
        query: { player_id: f.players.p2 },
      });
      expect(one.data.items).toEqual([
        expect.objectContaining({ player_id: f.players.p2, amount: '7000.00', status: 'pending' }),
      ]);
      const withdrawals = await h.call('GET', '/agent/player/withdraw/list', A());
      expect(withdrawals.data.items.map((w: { status: string }) => w.status).sort()).toEqual([
        'paid',
        'review_agreed',
      ]);
      expect(
        (
          await h.call('GET', '/agent/player/withdraw/list', {
            ...A(),
            query: { player_id: f.players.pOther },
          })
        ).data.total,
      ).toBe(0);
    });
  });

  describe('/agent/sub', () => {
    it('lists sub-agents that are members of the request brand', async () => {
      const res = await h.call('GET', '/agent/sub/list', A());
      expect(res.data).toMatchObject({ total: 1, page: 1, size: 20 });
      expect(res.data.items).toEqual([
        expect.objectContaining({
          agent_id: f.sub.id,
          status: 'enabled',
          player_count: 1,
          commission_rate: '0.0800',
          level: 2,
        }),
      ]);
      const beta = await h.call('GET', '/agent/sub/list', B());
      expect(beta.data.items.map((s: { agent_id: number }) => s.agent_id)).toEqual([f.subBeta.id]);
      expect(
        await h.call('GET', '/agent/sub/detail', { ...A(), query: { agent_id: f.subBeta.id } }),
      ).toMatchObject({ status: 5 });
      expect(
        await h.call('GET', '/agent/sub/detail', { ...A(), query: { agent_id: f.grand.id } }),
      ).toMatchObject({ status: 5 });
      expect(
        (await h.call('GET', '/agent/sub/detail', { ...A(), query: { agent_id: f.sub.id } })).data.agent_id,
      ).toBe(f.sub.id);
    });

    it("aggregates each sub-agent's whole subtree", async () => {
      const res = await h.call('GET', '/agent/sub/statistic', A());
      expect(res.data).toEqual([
        {
          agent_id: f.sub.id,
          account: f.sub.account,
          nickname: null,
          status: 'enabled',
          player_count: 2,
          registrations: 2,
          deposit_count: 2,
          deposit_amount: '23000.00',
          withdraw_count: 0,
          withdraw_amount: '0.00',
          net_amount: '23000.00',
        },
      ]);
      const daily = await h.call('GET', '/agent/sub/statistic/daily', {
        ...A(),
        query: { agent_id: f.sub.id },
      });
      expect(daily.data[daily.data.length - 1]).toMatchObject({
        registrations: 2,
        deposit_amount: '23000.00',
      });
      const all = await h.call('GET', '/agent/sub/statistic/daily', A());
      expect(all.data[all.data.length - 1]).toMatchObject({ deposit_amount: '23000.00' });
      expect(
        await h.call('GET', '/agent/sub/statistic/daily', { ...A(), query: { agent_id: f.subBeta.id } }),
      ).toMatchObject({ status: 5 });
    });

    it("sets a sub-agent's commission up to its own rate and emits an event", async () => {
      const ok = await h.call('POST', '/agent/sub/commission', {
        ...A(),
        body: { agent_id: f.sub.id, commission_rate: '0.0500' },
      });
      expect(ok).toMatchObject({ status: 0, data: { agent_id: f.sub.id, commission_rate: '0.0500' } });
      expect(
        await h.call('POST', '/agent/sub/commission', {
          ...A(),
          body: { agent_id: f.sub.id, commission_rate: '0.5' },
        }),
      ).toMatchObject({ status: 1 });
      expect(
        await h.call('POST', '/agent/sub/commission', {
          ...A(),
          body: { agent_id: f.subBeta.id, commission_rate: '0.01' },
        }),
      ).toMatchObject({ status: 5 });
      const { rows } = await h.pg.query(
        `SELECT brand_id, envelope FROM agent_outbox WHERE event_type = 'AGENT_SUB_COMMISSION_CHANGED'`,
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].envelope).toMatchObject({
        brand_id: f.alpha,
        producer: 'agent_service',
        payload: {
          agent_id: f.sub.id,
          commission_rate: '0.0500',
          commission_rate_before: '0.0800',
          brand_id: f.alpha,
        },
      });
      await h.pg.query(`UPDATE agent SET commission_rate = 0.08 WHERE guid = $1`, [f.sub.id]);
    });
  });

  describe('/agent/provider', () => {
    it('lists the providers enabled and shown for the request brand', async () => {
      const res = await h.call('GET', '/agent/provider/list', A());
      expect(res.data).toEqual([{ provider_id: f.providers.p1, code: `evo${h.tag}`, name: 'Provider evo' }]);
      expect(
        (await h.call('GET', '/agent/provider/list', B())).data.map(
          (p: { provider_id: number }) => p.provider_id,
        ),
      ).toEqual([f.providers.p2]);
    });

    it("reads and sets per-brand percentages within the parent's own", async () => {
      const mine = await h.call('GET', '/agent/provider/percentage', A());
      expect(mine.data).toEqual([
        expect.objectContaining({
          provider_id: f.providers.p1,
          percentage: '0.1000',
          max_percentage: '0.1000',
        }),
      ]);
      const before = await h.call('GET', '/agent/provider/sub/percentage', {
        ...A(),
        query: { agent_id: f.sub.id },
      });
      expect(before.data).toEqual([
        expect.objectContaining({ percentage: '0.0800', max_percentage: '0.1000' }),
      ]);
      const set = await h.call('POST', '/agent/provider/sub/percentage', {
        ...A(),
        body: { agent_id: f.sub.id, items: [{ provider_id: f.providers.p1, percentage: '0.0550' }] },
      });
      expect(set).toMatchObject({
        status: 0,
        data: [expect.objectContaining({ provider_id: f.providers.p1, percentage: '0.0550' })],
      });
      expect(
        await h.call('POST', '/agent/provider/sub/percentage', {
          ...A(),
          body: { agent_id: f.sub.id, items: [{ provider_id: f.providers.p1, percentage: '0.2' }] },
        }),
      ).toMatchObject({ status: 1 });
      expect(
        await h.call('POST', '/agent/provider/sub/percentage', {
          ...A(),
          body: { agent_id: f.sub.id, items: [{ provider_id: f.providers.p2, percentage: '0.01' }] },
        }),
      ).toMatchObject({ status: 2 });
      const subToken = await h.login(f.sub, f.hostA);
      const subView = await h.call('GET', '/agent/provider/percentage', { host: f.hostA, token: subToken });
      expect(subView.data).toEqual([
        expect.objectContaining({ percentage: '0.0550', max_percentage: '0.1000' }),
      ]);
      const { rows } = await h.pg.query(`SELECT brand_id, settings FROM agent_setting WHERE agent_id = $1`, [
        f.sub.id,
      ]);
      expect(rows).toEqual([
        { brand_id: f.alpha, settings: { provider_percentage: { [String(f.providers.p1)]: '0.0550' } } },
      ]);
    });

    it("reports income from the brand's deposits, withdrawals and balance log", async () => {
      const res = await h.call('GET', '/agent/provider/income', A());
      expect(res.data).toMatchObject({
        deposit_amount: '15000.00',
        withdraw_amount: '4000.00',
        net_amount: '11000.00',
        commission_rate: '0.1000',
        estimated_income: '1100.00',
        credited_income: '500.00',
      });
    });
  });

  describe('/agent/messages', () => {
    it("lists, counts and reads the agent's messages of the request brand", async () => {
      const list = await h.call('GET', '/agent/messages/list', A());
      expect(list.data.total).toBe(3);
      expect(list.data.items.map((m: { id: number }) => m.id)).toEqual([
        f.messages.m3,
        f.messages.m2,
        f.messages.m1,
      ]);
      expect((await h.call('GET', '/agent/messages/unread/count', A())).data).toEqual({ count: 2 });
      expect((await h.call('GET', `/agent/messages/${f.messages.m1}`, A())).data).toMatchObject({
        id: f.messages.m1,
        is_read: false,
        title: 'Notice',
      });
      expect(await h.call('GET', `/agent/messages/${f.messages.mBeta}`, A())).toMatchObject({
        http: 404,
        status: 5,
      });
      expect((await h.call('GET', '/agent/messages/abc', A())).status).toBe(2);
      expect(
        (
          await h.call('POST', '/agent/messages/read', {
            ...A(),
            body: { ids: [f.messages.m1, f.messages.mBeta] },
          })
        ).data,
      ).toEqual({ updated: 1 });
      expect((await h.call('GET', '/agent/messages/unread/count', A())).data).toEqual({ count: 1 });
      expect((await h.call('POST', '/agent/messages/read', { ...A(), body: {} })).data).toEqual({
        updated: 1,
      });
      expect((await h.call('GET', '/agent/messages/unread/count', A())).data).toEqual({ count: 0 });
      expect((await h.call('GET', '/agent/messages/unread/count', B())).data).toEqual({ count: 1 });
    });
  });

  describe('/agent/coupon', () => {
    it('grants a coupon to an own player with a log row and an outbox event', async () => {
      const res = await h.call('POST', '/agent/coupon/grant', {
        ...A(),
        body: { player_id: f.players.p1, amount: '5000', remark: 'welcome', expires_in_days: 7 },
      });
      expect(res).toMatchObject({
        status: 0,
        data: { player_id: f.players.p1, amount: '5000.00', status: 'granted', remark: 'welcome' },
      });
      const couponId = res.data.id;
      const { rows: logs } = await h.pg.query(
        `SELECT brand_id, action, amount, operator_id, agent_id FROM coupon_log WHERE coupon_id = $1`,
        [couponId],
      );
      expect(logs).toEqual([
        {
          brand_id: f.alpha,
          action: 'grant',
          amount: '5000.00',
          operator_id: `agent:${f.top.id}`,
          agent_id: String(f.top.id),
        },
      ]);
      const { rows: events } = await h.pg.query(
        `SELECT brand_id, envelope FROM agent_outbox WHERE event_type = 'AGENT_COUPON_GRANTED' AND aggregate_id = $1`,
        [String(couponId)],
      );
      expect(events[0].brand_id).toBe(f.alpha);
      expect(events[0].envelope).toMatchObject({
        schema_version: 2,
        aggregate_type: 'coupon',
        payload: {
          coupon_id: couponId,
          player_id: f.players.p1,
          agent_id: f.top.id,
          amount: '5000.00',
          brand_id: f.alpha,
        },
      });
      expect((await h.call('GET', '/agent/home/summary', A())).data.coupon_amount).toBe('5000.00');
    });

    it('refuses players of other agents or brands', async () => {
      for (const id of [f.players.pOther, f.players.pBeta]) {
        expect(
          await h.call('POST', '/agent/coupon/grant', { ...A(), body: { player_id: id, amount: '10' } }),
        ).toMatchObject({ status: 5 });
      }
      expect(
        await h.call('POST', '/agent/coupon/grant', {
          ...A(),
          body: { player_id: f.players.p1, amount: '0' },
        }),
      ).toMatchObject({ status: 1 });
    });

    it('recycles a granted coupon once, with both logs and an event', async () => {
      const granted = await h.call('POST', '/agent/coupon/grant', {
        ...A(),
        body: { player_id: f.players.p2, amount: '300.50' },
      });
      const id = granted.data.id;
      const res = await h.call('POST', '/agent/coupon/recycle', {
        ...A(),
        body: { coupon_id: id, reason: 'mistake' },
      });
      expect(res).toMatchObject({
        status: 0,
        data: { id, status: 'recycled', recycled_at: expect.any(String) },
      });
      expect(
        await h.call('POST', '/agent/coupon/recycle', { ...A(), body: { coupon_id: id } }),
      ).toMatchObject({ status: 1 });
      expect(
        await h.call('POST', '/agent/coupon/recycle', { ...B(), body: { coupon_id: id } }),
      ).toMatchObject({ status: 5 });
      const { rows } = await h.pg.query(
        `SELECT amount, reason, operator_id FROM coupon_recycle_log WHERE coupon_id = $1`,
        [id],
      );
      expect(rows).toEqual([{ amount: '300.50', reason: 'mistake', operator_id: `agent:${f.top.id}` }]);
      const logs = await h.call('GET', '/agent/coupon/logs', A());
      expect(
        logs.data.items
          .filter((l: { coupon_id: number }) => l.coupon_id === id)
          .map((l: { action: string }) => l.action),
      ).toEqual(['recycle', 'grant']);
      const recycled = await h.call('GET', '/agent/coupon/recycle/logs', A());
      expect(recycled.data.items[0]).toMatchObject({ coupon_id: id, amount: '300.50', reason: 'mistake' });
      expect((await h.call('GET', '/agent/coupon/recycle/logs', B())).data.total).toBe(0);
      expect((await h.call('GET', '/agent/coupon/list', A())).data.total).toBe(2);
      const { rows: events } = await h.pg.query(
        `SELECT 1 FROM agent_outbox WHERE event_type = 'AGENT_COUPON_RECYCLED' AND aggregate_id = $1`,
        [String(id)],
      );
      expect(events).toHaveLength(1);
    });

    it('honours feature_policy.coupon_enabled = false of the brand', async () => {
      await h.pg.query(
        `INSERT INTO brand_config (brand_id, key, value) VALUES ($1, 'feature_policy', '{"coupon_enabled": false}')`,
        [f.beta],
      );
      expect(
        await h.call('POST', '/agent/coupon/grant', {
          ...B(),
          body: { player_id: f.players.pBeta, amount: '10' },
        }),
      ).toMatchObject({ status: 1, msg: 'coupons are disabled for this brand' });
    });
  });

  describe('/agent/withdraw', () => {
    it('records a pending request with the encrypted payout bank, and keeps the available balance honest', async () => {
      await h.pg.query(
        `INSERT INTO brand_config (brand_id, key, value) VALUES ($1, 'agent_min_withdrawal_limit', '20000')`,
        [f.alpha],
      );
      const init = await h.call('GET', '/agent/withdraw/init', A());
      expect(init.data).toEqual({
        balance: '100000.00',
        pending_amount: '0.00',
        available_amount: '100000.00',
        min_withdrawal_limit: '20000.00',
        bank: {
          bank_id: 'KB',
          bank_name: 'KB Kookmin Bank',
          bank_num: '**********3444',
          card_number: '************4444',
          holder_name: 'Hong Gildong',
        },
      });
      expect(await h.call('POST', '/agent/withdraw/add', { ...A(), body: { amount: '5000' } })).toMatchObject(
        { status: 1 },
      );
      const added = await h.call('POST', '/agent/withdraw/add', { ...A(), body: { amount: '60000' } });
      expect(added).toMatchObject({
        status: 0,
        data: { amount: '60000.00', status: 'pending', bank_id: 'KB', bank_num: '**********3444' },
      });
      expect(
        await h.call('POST', '/agent/withdraw/add', { ...A(), body: { amount: '50000' } }),
      ).toMatchObject({ status: 1, msg: 'amount exceeds the available balance' });
      const { rows } = await h.pg.query(
        `SELECT brand_id, bank_num, card_number, status FROM agent_withdraw WHERE id = $1`,
        [added.data.id],
      );
      expect(rows[0]).toMatchObject({ brand_id: f.alpha, status: 'pending' });
      expect(rows[0].bank_num).toMatch(/^aesgcm:v1:/);
      expect(pii.decrypt(rows[0].bank_num)).toBe('110-222-333444');
      expect(pii.decrypt(rows[0].card_number)).toBe('4111222233334444');
      const { rows: events } = await h.pg.query(
        `SELECT envelope FROM agent_outbox WHERE event_type = 'AGENT_WITHDRAW_REQUESTED'`,
      );
      expect(events).toEqual([
        {
          envelope: expect.objectContaining({
            brand_id: f.alpha,
            payload: {
              withdraw_id: added.data.id,
              agent_id: f.top.id,
              amount: '60000.00',
              bank_id: 'KB',
              brand_id: f.alpha,
            },
          }),
        },
      ]);
      expect(JSON.stringify(events)).not.toContain('333444');
      const list = await h.call('GET', '/agent/withdraw/list', A());
      expect(list.data).toMatchObject({ total: 1, items: [expect.objectContaining({ id: added.data.id })] });
      expect((await h.call('GET', '/agent/withdraw/list', B())).data.total).toBe(0);
      expect((await h.call('GET', '/agent/withdraw/init', A())).data).toMatchObject({
        pending_amount: '60000.00',
        available_amount: '40000.00',
      });
      expect((await h.call('GET', '/agent/withdraw/init', B())).data).toMatchObject({
        pending_amount: '0.00',
        min_withdrawal_limit: '10000.00',
      });
    });

    it('never lets concurrent requests spend the same balance', async () => {
      const rich = await h.createAgent({ balance: '100000', bank: true });
      await h.setAgentBrand(rich.id, f.alpha, 'enabled');
      const token = await h.login(rich, f.hostA);
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          h.call('POST', '/agent/withdraw/add', { host: f.hostA, token, body: { amount: '30000' } }),
        ),
      );
      expect(results.filter((r) => r.status === 0)).toHaveLength(3);
      expect(results.filter((r) => r.status === 1)).toHaveLength(2);
    });

    it('needs a payout bank on file', async () => {
      const poor = await h.createAgent({ balance: '100000' });
      await h.setAgentBrand(poor.id, f.alpha, 'enabled');
      const token = await h.login(poor, f.hostA);
      expect(
        await h.call('POST', '/agent/withdraw/add', { host: f.hostA, token, body: { amount: '30000' } }),
      ).toMatchObject({ status: 1, msg: 'no payout bank on file' });
    });
  });

  describe('/agent/bank and /agent/common', () => {
    it("lists the brand's banks (brand_config bank_list, else the global default)", async () => {
      expect((await h.call('GET', '/agent/bank/list', A())).data).toContainEqual({
        bank_id: 'KB',
        name: 'KB Kookmin Bank',
      });
      await h.pg.query(
        `INSERT INTO brand_config (brand_id, key, value) VALUES ($1, 'bank_list', '[{"bank_id": "VCB", "name": "Vietcombank"}]')`,
        [f.beta],
      );
      expect((await h.call('GET', '/agent/bank/list', B())).data).toEqual([
        { bank_id: 'VCB', name: 'Vietcombank' },
      ]);
    });

    it('serves the minimum withdrawal limit and the public brand info', async () => {
      expect((await h.call('GET', '/agent/common/agent_min_withdrawal_limit', A())).data).toEqual({
        min_withdrawal_limit: '20000.00',
        currency: 'KRW',
      });
      const brand = await h.call('GET', '/agent/common/brand', { host: f.hostB });
      expect(brand).toMatchObject({ status: 0, data: { brand_id: f.beta, default_currency: 'KRW' } });
      expect(
        (await h.call('GET', '/agent/common/agent_min_withdrawal_limit', { host: f.hostA })).status,
      ).toBe(3);
    });
  });
});
