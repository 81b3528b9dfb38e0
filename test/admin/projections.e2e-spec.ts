// CONTRACTS §4: the provider allow-list snapshots brand:provider_allowlist:{brand_id} are a projection
// of brand_provider_config that `rebuild-domain-maps` restores exactly as admin writes them (and
// removes for brands without rows or without a brand row); admin writes that race the rebuilds take
// the same locks: allow-list writes lock the brand row, domain removals the admin domain lock.
import { Client } from 'pg';
import { runCli } from '../../apps/cli/src/cli';
import { suiteRedisUrl } from '../support/redis';
import {
  AdminHarness,
  api,
  bootAdmin,
  insertAgent,
  insertBrand,
  operatorToken,
  uid,
  type ApiResponse,
} from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admin projections and their locks', () => {
  let h: AdminHarness;
  let token: string;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
  });
  afterAll(async () => h?.close());

  const key = (brandId: number) => `brand:provider_allowlist:${brandId}`;
  const provider = async () =>
    (
      await api(h, 'POST', '/api/v1/providers', {
        token,
        body: { code: `pj-${uid()}`, name: 'Provider', is_show: true },
      })
    ).body.data.id as number;
  const rebuild = async () => {
    const out: string[] = [];
    const code = await runCli(['rebuild-domain-maps'], {
      env: { DATABASE_URL: h.db.appUrl, REDIS_URL: suiteRedisUrl() },
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    return { code, out };
  };

  /** Another session holding `sql`'s locks until `release()`. */
  async function hold(sql: string, params: unknown[]): Promise<() => Promise<void>> {
    const client = new Client({ connectionString: h.db.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query(sql, params);
    return async () => {
      await client.query('COMMIT');
      await client.end();
    };
  }

  /** Starts `request`, checks it is still waiting after 300 ms, releases the lock and returns its answer. */
  async function waitsFor(release: () => Promise<void>, request: Promise<ApiResponse>): Promise<ApiResponse> {
    let settled = false;
    const pending = request.finally(() => (settled = true));
    try {
      await sleep(300);
      expect(settled).toBe(false);
    } finally {
      await release();
    }
    return pending;
  }

  it('rebuild-domain-maps restores allow-list snapshots as admin writes them and removes stale ones', async () => {
    const [pA, pB] = [await provider(), await provider()];
    const configured = await insertBrand(h);
    const inheriting = await insertBrand(h);
    const gone = await insertBrand(h);
    await h.ds.query(`DELETE FROM brand WHERE id = $1`, [gone]);
    // the service writes the snapshot: the first PATCH materializes the visible set, then disables pB
    const res = await api(h, 'PATCH', `/api/v1/brands/${configured}/providers/${pB}`, {
      token,
      body: { enabled: false },
    });
    expect(res.status).toBe(200);
    const written = await h.redis.get(key(configured));
    expect(JSON.parse(written ?? 'null')).toEqual(expect.arrayContaining([pA]));
    expect(JSON.parse(written ?? 'null')).not.toContain(pB);

    await h.redis.set(key(configured), JSON.stringify([pB]));
    await h.redis.set(key(inheriting), JSON.stringify([pA]));
    await h.redis.set(key(gone), JSON.stringify([pA]));
    const first = await rebuild();
    expect(first.code).toBe(0);
    expect(first.out[0]).toMatch(/\d+ agent domains, \d+ level domains, \d+ stale keys removed/);
    expect(first.out[1]).toMatch(
      /^provider allow lists rebuilt: \d+ of \d+ brands configured, \d+ written, \d+ stale keys removed$/,
    );
    expect(await h.redis.get(key(configured))).toBe(written);
    expect(await h.redis.exists(key(inheriting), key(gone))).toBe(0);

    await h.redis.del(key(configured));
    expect((await rebuild()).code).toBe(0);
    expect(await h.redis.get(key(configured))).toBe(written);
  });

  it('a provider_allowlist config write locks the brand row like the allow-list PATCH does', async () => {
    const p = await provider();
    const brandId = await insertBrand(h);
    // an in-flight brand update: conflicts with FOR UPDATE, not with the key-share lock of a foreign key
    const release = await hold(`UPDATE brand SET updated_at = now() WHERE id = $1`, [brandId]);
    const res = await waitsFor(
      release,
      api(h, 'PUT', `/api/v1/brands/${brandId}/config/provider_allowlist`, { token, body: { value: [p] } }),
    );
    expect(res.status).toBe(200);
    expect(await h.redis.get(key(brandId))).toBe(JSON.stringify([p]));
  });

  it('domain removals wait for the admin domain lock the rebuilds hold', async () => {
    const agentId = await insertAgent(h);
    const brandId = await insertBrand(h);
    await api(h, 'PUT', `/api/v1/agents/${agentId}/brands/${brandId}`, {
      token,
      body: { status: 'enabled' },
    });
    const [agentHost, levelHost] = [`rm-${uid()}.example.test`, `rm-${uid()}.example.test`];
    const agentDomain = await api(h, 'POST', `/api/v1/agents/${agentId}/domains`, {
      token,
      body: { brand_id: brandId, domain: agentHost },
    });
    const levelDomain = await api(h, 'POST', '/api/v1/level-domains', {
      token,
      body: { brand_id: brandId, level: 2, domain: levelHost },
    });
    const lock = `SELECT pg_advisory_xact_lock(hashtext('admin:domains'))`;

    const removedAgent = await waitsFor(
      await hold(lock, []),
      api(h, 'DELETE', `/api/v1/agents/${agentId}/domains/${agentDomain.body.data.id}`, { token }),
    );
    expect(removedAgent.status).toBe(200);
    expect(await h.redis.get(`domain:agent:${agentHost}`)).toBeNull();

    const removedLevel = await waitsFor(
      await hold(lock, []),
      api(h, 'DELETE', `/api/v1/level-domains/${levelDomain.body.data.id}?brand_id=${brandId}`, { token }),
    );
    expect(removedLevel.status).toBe(200);
    expect(await h.redis.get(`domain:level:${levelHost}`)).toBeNull();
  });
});
