// Seed 004 T16-A: every operator log read goes through one paginator pinned to the request brand; reads
// across brands return nothing, also with SQL-injection payloads in filters; the nine unprovisioned log
// endpoints answer an empty page behind the same brand requirement.
import {
  AdminHarness,
  api,
  bootAdmin,
  insertAgent,
  insertBrand,
  insertPlayer,
  operatorToken,
} from './harness';

describe('admin operator logs', () => {
  let h: AdminHarness;
  let token: string;
  let a: number;
  let b: number;
  let empty: number;
  let playerA: number;
  let playerB: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
    [a, b, empty] = [await insertBrand(h), await insertBrand(h), await insertBrand(h)];
    playerA = await insertPlayer(h, a);
    playerB = await insertPlayer(h, b);
    const agent = await insertAgent(h);
    for (const [brand, player] of [
      [a, playerA],
      [a, playerA],
      [a, playerA],
      [b, playerB],
    ]) {
      await h.ds.query(
        `INSERT INTO player_balance_log (brand_id, player_id, change_type, amount) VALUES ($1, $2, 'deposit', 10)`,
        [brand, player],
      );
      await h.ds.query(
        `INSERT INTO player_login_log (brand_id, player_id, account, success) VALUES ($1, $2, 'acct', true)`,
        [brand, player],
      );
    }
    await h.ds.query(
      `INSERT INTO agent_balance_log (brand_id, agent_id, change_type, amount) VALUES ($1, $2, 'manual_add', 5)`,
      [b, agent],
    );
    await h.ds.query(
      `INSERT INTO agent_login_log (brand_id, agent_id, account, success) VALUES ($1, $2, 'ag', false)`,
      [b, agent],
    );
  });
  afterAll(async () => h?.close());

  const read = (kind: string, brandId: number, query = '') =>
    api(h, 'GET', `/api/v1/logs/${kind}${query}`, { token, brandId });

  it('reads the four real tables for the request brand only', async () => {
    const balance = await read('player-balance', a);
    expect(balance.body.data).toMatchObject({ total: 3, page: 1, page_size: 20 });
    expect(balance.body.data.items.every((r: { brand_id: number }) => r.brand_id === a)).toBe(true);
    expect((await read('player-login', b)).body.data.items).toEqual([
      expect.objectContaining({ brand_id: b, player_id: playerB }),
    ]);
    expect((await read('agent-balance', b)).body.data.total).toBe(1);
    expect((await read('agent-login', b)).body.data.items[0]).toMatchObject({ success: false, brand_id: b });
    expect((await read('agent-balance', a)).body.data.total).toBe(0);
  });

  it('returns nothing for another brand, even when filtering on that brand player', async () => {
    expect((await read('player-balance', empty)).body.data).toEqual({
      items: [],
      total: 0,
      page: 1,
      page_size: 20,
    });
    expect((await read('player-balance', a, `?player_id=${playerB}`)).body.data.total).toBe(0);
    expect((await read('player-login', a, `?player_id=${playerB}`)).body.data.items).toEqual([]);
  });

  it.each([
    ["' OR '1'='1"],
    ["deposit' OR brand_id <> 0 --"],
    ["x'; DROP TABLE player_balance_log; --"],
    ['deposit") OR ("1"="1'],
  ])('treats %s as a plain value: nothing from other brands, nothing dropped', async (payload) => {
    // Brand a has rows of its own, so an injected OR would show here as a non-zero total.
    const res = await read('player-balance', a, `?change_type=${encodeURIComponent(payload)}`);
    expect([res.status, res.body.data.total]).toEqual([200, 0]);
    const login = await read('player-login', a, `?account=${encodeURIComponent(payload)}`);
    expect(login.body.data.total).toBe(0);
    expect((await h.ds.query(`SELECT count(*)::int AS n FROM player_balance_log`))[0].n).toBe(4);
  });

  it('refuses filters that are not whitelisted, including brand_id and injected names (400, status 2)', async () => {
    for (const query of [
      `?brand_id=${b}`,
      `?${encodeURIComponent('1=1) OR (brand_id')}=1`,
      '?player_id=1%20OR%201%3D1',
      '?page_size=1000',
      // Dates PostgreSQL cannot hold were a 500 (SQLSTATE 22008).
      '?start_time=0000-01-01',
      `?end_time=${encodeURIComponent('9999-12-31T23:00:00-23:00')}`,
    ]) {
      const res = await read('player-balance', empty, query);
      expect([query, res.status, res.body.status]).toEqual([query, 400, 2]);
    }
  });

  it('paginates newest first', async () => {
    const first = await read('player-balance', a, '?page_size=2');
    const second = await read('player-balance', a, '?page_size=2&page=2');
    expect(first.body.data.items).toHaveLength(2);
    expect(second.body.data.items).toHaveLength(1);
    expect(first.body.data.items[0].id).toBeGreaterThan(first.body.data.items[1].id);
    expect(first.body.data.total).toBe(3);
  });

  it('answers an empty page for each of the nine unprovisioned logs, behind the brand requirement', async () => {
    const kinds = (await api(h, 'GET', '/api/v1/logs', { token })).body.data.filter(
      (k: { provisioned: boolean }) => !k.provisioned,
    );
    expect(kinds).toHaveLength(9);
    for (const { kind } of kinds) {
      expect((await read(kind, a)).body).toEqual({
        status: 0,
        msg: 'ok',
        data: { items: [], total: 0, page: 1, page_size: 20 },
      });
      const noBrand = await api(h, 'GET', `/api/v1/logs/${kind}`, { token });
      expect([kind, noBrand.status, noBrand.body.status]).toEqual([kind, 400, 54]);
    }
  });

  it('answers 404 for an unknown log', async () => {
    expect((await read('wallet-ledger', a)).status).toBe(404);
  });
});
