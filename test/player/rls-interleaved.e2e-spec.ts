/**
 * Issue #8 under load: row-level security keeps brands apart when one small
 * connection pool serves two brands request after request, and a pooled
 * connection never carries a brand past its transaction.
 *
 * What could go wrong, and what each test would see:
 *   - a brand binding that outlives its transaction (a session-level
 *     `set_config`, a binding remembered on the wrong query runner, a
 *     connection handed to the next caller mid-transaction): the next
 *     request on that connection would be served the previous brand's rows.
 *     The player app runs with DB_POOL_SIZE=2 as the app role, so 10,000
 *     interleaved requests of two brands pass through the same two
 *     connections thousands of times each; every response must be exactly
 *     the requester's own data (the two brands even use the same account
 *     names), and afterwards both pooled connections must answer an empty
 *     `app.brand_id` outside a transaction;
 *   - application predicates hiding a database that filters nothing: the
 *     lib-level test runs `Database.brandTransaction` with a raw
 *     `SELECT brand_id FROM player_message` that has NO brand predicate, so
 *     only row security can make it return one brand; between them,
 *     statements outside any transaction on the same two connections must see
 *     no brand and no row (fail closed).
 */
import { DataSource } from 'typeorm';
import { asBrandId, createDataSource, DATA_SOURCE, Database } from '@app/database';
import {
  type Identity,
  type PlayerApp,
  type PlayerHarness,
  registerAndLogin,
  startPlayerHarness,
} from './harness';

jest.setTimeout(120_000);

const REQUESTS = 10_000;
const IN_FLIGHT = 50;
const PLAYERS_PER_BRAND = 3;
const MESSAGES_PER_PLAYER = 10;

interface Fixture {
  brandId: number;
  code: string;
  players: (Identity & { nickname: string; messageIds: number[] })[];
}

/** Runs `task(0..count-1)` with at most `limit` in flight. */
async function bounded(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

interface IdleAnswer {
  pid: number;
  brand: string | null;
  visible: number;
}

/** A statement outside any transaction: which connection answered, its `app.brand_id`, and how many messages it sees. */
function probeIdleConnection(ds: DataSource): Promise<IdleAnswer> {
  return (
    ds.query(
      // brand-scope: cross-brand on purpose: with no brand bound, row security must show nothing
      `SELECT pg_backend_pid() AS pid, current_setting('app.brand_id', true) AS brand,
              (SELECT count(*)::int FROM player_message) AS visible`,
    ) as Promise<IdleAnswer[]>
  ).then((rows) => rows[0]);
}

/** Two idle probes at once, so each of a 2-connection pool answers one. */
function probeIdle(ds: DataSource): Promise<IdleAnswer[]> {
  return Promise.all([probeIdleConnection(ds), probeIdleConnection(ds)]);
}

describe('row-level security under interleaved load (issue #8)', () => {
  let h: PlayerHarness;
  let app: PlayerApp;
  const brands: Fixture[] = [];

  beforeAll(async () => {
    h = await startPlayerHarness('rls-interleaved');
    app = await h.boot({ DB_POOL_SIZE: '2' });
    for (const code of ['rlsalpha', 'rlsbeta']) {
      const brandId = await h.createBrand(code);
      const fixture: Fixture = { brandId, code, players: [] };
      for (let p = 0; p < PLAYERS_PER_BRAND; p += 1) {
        // The same account names in both brands: only the brand tells the rows apart.
        const identity = await registerAndLogin(app, brandId, `shared_${p}`);
        const nickname = `${code}-nick-${p}`;
        await h.pg.query('UPDATE player SET nickname = $1 WHERE brand_id = $2 AND id = $3', [
          nickname,
          brandId,
          identity.playerId,
        ]);
        const { rows } = await h.pg.query<{ id: string }>(
          `INSERT INTO player_message (brand_id, player_id, title, content)
           SELECT $1::int, $2::bigint, $3::text || ' message ' || g, $3::text || ' secret for player ' || $2::bigint || ' #' || g
             FROM generate_series(1, $4::int) AS g RETURNING id`,
          [brandId, identity.playerId, code, MESSAGES_PER_PLAYER],
        );
        fixture.players.push({
          ...identity,
          nickname,
          messageIds: rows.map((r) => Number(r.id)).sort((a, b) => a - b),
        });
      }
      brands.push(fixture);
    }
  });
  afterAll(() => h?.close());

  it('serves 10,000 interleaved requests of two brands over a 2-connection pool, each with only the requester’s data', async () => {
    const served = new Map<string, number>();
    const failures: string[] = [];
    await bounded(REQUESTS, IN_FLIGHT, async (i) => {
      const brand = brands[i % 2];
      const player = brand.players[Math.floor(i / 2) % PLAYERS_PER_BRAND];
      const kind = Math.floor(i / 2) % 2 === 0 ? 'messages' : 'info';
      const path =
        kind === 'messages' ? '/internal/players/messages?page_size=100' : '/internal/players/info';
      const res = await app.call('GET', path, { brand: brand.brandId, identity: player });
      const problem = (() => {
        if (res.http !== 200 || res.status !== 0) return `http ${res.http} status ${res.status}`;
        if (kind === 'info') {
          const d = res.data;
          return d.player_id === player.playerId &&
            d.account === player.account &&
            d.brand_id === brand.brandId &&
            d.nickname === player.nickname
            ? null
            : `info ${JSON.stringify(d)}`;
        }
        const items: { id: number; title: string; content: string }[] = res.data.items;
        const ids = items.map((m) => m.id).sort((a, b) => a - b);
        const own = items.every(
          (m, n) =>
            m.title.startsWith(`${brand.code} message `) &&
            m.content === `${brand.code} secret for player ${player.playerId} #${MESSAGES_PER_PLAYER - n}`,
        );
        return own &&
          res.data.total === MESSAGES_PER_PLAYER &&
          JSON.stringify(ids) === JSON.stringify(player.messageIds)
          ? null
          : `messages ${res.raw.slice(0, 300)}`;
      })();
      if (problem)
        failures.push(`request ${i} (brand ${brand.code}, player ${player.playerId}, ${kind}): ${problem}`);
      else served.set(`${brand.code} ${kind}`, (served.get(`${brand.code} ${kind}`) ?? 0) + 1);
    });
    expect(failures.slice(0, 5)).toEqual([]);
    expect(failures).toHaveLength(0);
    expect(Object.fromEntries(served)).toEqual({
      'rlsalpha messages': REQUESTS / 4,
      'rlsalpha info': REQUESTS / 4,
      'rlsbeta messages': REQUESTS / 4,
      'rlsbeta info': REQUESTS / 4,
    });

    // Both of the app's pooled connections, probed outside a transaction: no brand left behind, nothing visible.
    // They are listed before any probe runs, so the probes answer on the connections that served the load.
    const ds = app.app.get<DataSource>(DATA_SOURCE);
    const { rows: backends } = await h.pg.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND application_name = 'player_service'`,
      [h.db.name, new URL(h.db.appUrl).username],
    );
    const pooled = backends.map((b) => b.pid).sort((a, b) => a - b);
    expect(pooled).toHaveLength(2);
    for (let round = 0; round < 5; round += 1) {
      const answers = await probeIdle(ds);
      expect(answers.map((a) => a.pid).sort((a, b) => a - b)).toEqual(pooled);
      for (const answer of answers) {
        expect(['', null]).toContain(answer.brand);
        expect(answer.visible).toBe(0);
      }
    }
  });

  it('binds each of 10,000 interleaved brand transactions to its own brand only; unscoped SQL sees that brand alone', async () => {
    const ds = createDataSource({ url: h.db.appUrl, poolSize: 2, applicationName: 'rls-interleaved-lib' });
    await ds.initialize();
    try {
      const db = new Database(ds);
      const expected = new Map(brands.map((b) => [b.brandId, PLAYERS_PER_BRAND * MESSAGES_PER_PLAYER]));
      const failures: string[] = [];
      const pids = new Set<number>();
      let bound = 0;
      let idle = 0;
      // Every fifth slot is a statement outside any transaction, on whichever connection a brand transaction just committed on.
      await bounded(REQUESTS + REQUESTS / 4, IN_FLIGHT, async (i) => {
        if (i % 5 === 4) {
          const row = await probeIdleConnection(ds);
          pids.add(row.pid);
          if ((row.brand !== '' && row.brand !== null) || row.visible !== 0)
            failures.push(`idle ${i}: ${JSON.stringify(row)}`);
          idle += 1;
          return;
        }
        const brandId = brands[i % 2].brandId;
        await db.brandTransaction(asBrandId(brandId), async (tx) => {
          const [setting] = (await tx.manager.query(
            `SELECT current_setting('app.brand_id') AS brand, pg_backend_pid() AS pid`,
          )) as { brand: string; pid: number }[];
          // brand-scope: cross-brand on purpose: no brand predicate, row-level security is the only filter here
          const rows = (await tx.manager.query('SELECT brand_id FROM player_message')) as {
            brand_id: number;
          }[];
          pids.add(setting.pid);
          if (setting.brand !== String(brandId))
            failures.push(`tx ${i} brand ${brandId}: app.brand_id = ${setting.brand}`);
          const foreign = rows.filter((r) => r.brand_id !== brandId).length;
          if (foreign > 0 || rows.length !== expected.get(brandId)) {
            failures.push(`tx ${i} brand ${brandId}: ${rows.length} rows, ${foreign} of another brand`);
          }
        });
        bound += 1;
      });
      expect(failures.slice(0, 5)).toEqual([]);
      expect(failures).toHaveLength(0);
      expect([bound, idle]).toEqual([REQUESTS, REQUESTS / 4]);
      expect(pids.size).toBe(2);

      const answers = await probeIdle(ds);
      expect(answers.map((a) => a.pid).sort((a, b) => a - b)).toEqual([...pids].sort((a, b) => a - b));
      expect(answers.map((a) => [a.brand ?? '', a.visible])).toEqual([
        ['', 0],
        ['', 0],
      ]);
    } finally {
      await ds.destroy();
    }
  });
});
