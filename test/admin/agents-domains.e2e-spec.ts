// Seed 004 / ADR-009 agents and domains: agents are global, agent_brand writes publish AGENT_BRAND_CHANGED,
// agent and level domains keep the Redis domain maps (domain:agent:{host}, domain:level:{host}) in step,
// a domain belongs to one brand, and the maps can be rebuilt from PostgreSQL (stale keys removed).
import Redis from 'ioredis';
import { rebuildDomainMaps } from '@app/domain-maps';
import { suiteRedisUrl } from '../support/redis';
import {
  AdminHarness,
  api,
  auditRows,
  bootAdmin,
  insertAgent,
  insertBrand,
  operatorToken,
  uid,
} from './harness';

describe('admin agents and domains', () => {
  let h: AdminHarness;
  let token: string;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
  });
  afterAll(async () => h?.close());

  const host = () => `site-${uid()}.example.test`;
  const enable = (agentId: number, brandId: number, status = 'enabled') =>
    api(h, 'PUT', `/api/v1/agents/${agentId}/brands/${brandId}`, { token, body: { status } });

  it('creates a global agent with the contract shape, PII encrypted, and no brand membership', async () => {
    const account = `ag_${uid()}`;
    const res = await api(h, 'POST', '/api/v1/agents', {
      token,
      body: { account, password: 'secret-pass', phone: '+82 10-1234-5678' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({ agent_id: expect.any(Number), account });
    const [row] = await h.ds.query(`SELECT phone_num, phone_hash, password_hash FROM agent WHERE guid = $1`, [
      res.body.data.agent_id,
    ]);
    expect(row.phone_num).toMatch(/^aesgcm:v1:/);
    expect(row.phone_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(
      await h.ds.query(`SELECT 1 FROM agent_brand WHERE agent_id = $1`, [res.body.data.agent_id]),
    ).toHaveLength(0);
    const audit = await auditRows(h, `action = 'CREATE_AGENT' AND resource_id = $1`, [
      String(res.body.data.agent_id),
    ]);
    expect(JSON.stringify(audit)).not.toContain('5678');
    const dup = await api(h, 'POST', '/api/v1/agents', { token, body: { account, password: 'secret-pass' } });
    expect([dup.status, dup.body.status]).toEqual([409, 8]);
  });

  it('writes agent_brand, audits it with the brand and publishes AGENT_BRAND_CHANGED', async () => {
    const sub = new Redis(suiteRedisUrl());
    const messages: any[] = [];
    sub.on('message', (_c, raw) => messages.push(JSON.parse(raw)));
    await sub.subscribe('AGENT_BRAND_CHANGED');
    try {
      const agentId = await insertAgent(h);
      const brandId = await insertBrand(h);
      const res = await enable(agentId, brandId);
      expect(res.body.data).toEqual({ agent_id: agentId, brand_id: brandId, status: 'enabled' });
      await enable(agentId, brandId, 'disabled');
      expect(
        await h.ds.query(`SELECT status FROM agent_brand WHERE agent_id = $1 AND brand_id = $2`, [
          agentId,
          brandId,
        ]),
      ).toEqual([{ status: 'disabled' }]);
      for (let i = 0; i < 50 && messages.filter((m) => m.agent_id === agentId).length < 2; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(messages.filter((m) => m.agent_id === agentId).map((m) => m.status)).toEqual([
        'enabled',
        'disabled',
      ]);
      const audit = await auditRows(h, `action = 'SET_AGENT_BRAND' AND brand_id = $1`, [brandId]);
      expect(audit.map((r) => [r.before, r.after])).toEqual([
        [null, { status: 'enabled' }],
        [{ status: 'enabled' }, { status: 'disabled' }],
      ]);
      expect((await api(h, 'GET', `/api/v1/agents/${agentId}`, { token })).body.data.brands).toEqual([
        { brand_id: brandId, status: 'disabled' },
      ]);
    } finally {
      sub.disconnect();
    }
  });

  it('binds an agent domain only for an enabled brand and mirrors it into domain:agent:{host}', async () => {
    const agentId = await insertAgent(h);
    const brandId = await insertBrand(h);
    const domain = host();
    const refused = await api(h, 'POST', `/api/v1/agents/${agentId}/domains`, {
      token,
      body: { brand_id: brandId, domain },
    });
    expect([refused.status, refused.body.status]).toEqual([403, 52]);
    await enable(agentId, brandId);
    const res = await api(h, 'POST', `/api/v1/agents/${agentId}/domains`, {
      token,
      body: { brand_id: brandId, domain: domain.toUpperCase() },
    });
    expect(res.body.data).toEqual({ id: expect.any(Number), agent_id: agentId, brand_id: brandId, domain });
    expect(await h.redis.get(`domain:agent:${domain}`)).toBe(
      JSON.stringify({ agent_id: agentId, brand_id: brandId }),
    );

    const removed = await api(h, 'DELETE', `/api/v1/agents/${agentId}/domains/${res.body.data.id}`, {
      token,
    });
    expect(removed.status).toBe(200);
    expect(await h.redis.get(`domain:agent:${domain}`)).toBeNull();
    expect(await h.ds.query(`SELECT 1 FROM agent_domain WHERE domain = $1`, [domain])).toHaveLength(0);
  });

  it('refuses a domain already bound to any agent or level of any brand (409, status 8)', async () => {
    const [a1, a2] = [await insertAgent(h), await insertAgent(h)];
    const [b1, b2] = [await insertBrand(h), await insertBrand(h)];
    await enable(a1, b1);
    await enable(a2, b2);
    const domain = host();
    expect(
      (await api(h, 'POST', `/api/v1/agents/${a1}/domains`, { token, body: { brand_id: b1, domain } }))
        .status,
    ).toBe(201);
    const other = await api(h, 'POST', `/api/v1/agents/${a2}/domains`, {
      token,
      body: { brand_id: b2, domain },
    });
    expect([other.status, other.body.status]).toEqual([409, 8]);
    const level = await api(h, 'POST', '/api/v1/level-domains', {
      token,
      body: { brand_id: b2, level: 1, domain },
    });
    expect([level.status, level.body.status]).toEqual([409, 8]);
    expect(await h.redis.get(`domain:agent:${domain}`)).toBe(JSON.stringify({ agent_id: a1, brand_id: b1 }));
    expect(await h.redis.get(`domain:level:${domain}`)).toBeNull();
  });

  it('rejects malformed domains (400, status 2)', async () => {
    const brandId = await insertBrand(h);
    for (const domain of ['has space.test', 'bad_under.test', 'http://x.test', 'x.test:8080']) {
      const res = await api(h, 'POST', '/api/v1/level-domains', {
        token,
        body: { brand_id: brandId, level: 1, domain },
      });
      expect([domain, res.status, res.body.status]).toEqual([domain, 400, 2]);
    }
  });

  it('writes and removes level domains in domain:level:{host}', async () => {
    const brandId = await insertBrand(h);
    const domain = host();
    const res = await api(h, 'POST', '/api/v1/level-domains', {
      token,
      body: { brand_id: brandId, level: 3, domain },
    });
    expect(res.body.data).toEqual({ id: expect.any(Number), brand_id: brandId, level: 3, domain });
    expect(await h.redis.get(`domain:level:${domain}`)).toBe(JSON.stringify({ level: 3, brand_id: brandId }));
    const list = await api(h, 'GET', `/api/v1/level-domains?brand_id=${brandId}`, { token });
    expect(list.body.data).toEqual([res.body.data]);
    await api(h, 'DELETE', `/api/v1/level-domains/${res.body.data.id}?brand_id=${brandId}`, { token });
    expect(await h.redis.get(`domain:level:${domain}`)).toBeNull();
  });

  it('rebuilds both maps from PostgreSQL: restores lost keys, fixes wrong values, removes stale keys', async () => {
    const agentId = await insertAgent(h);
    const brandId = await insertBrand(h);
    await enable(agentId, brandId);
    const [agentHost, levelHost, staleAgent, staleLevel] = [host(), host(), host(), host()];
    await api(h, 'POST', `/api/v1/agents/${agentId}/domains`, {
      token,
      body: { brand_id: brandId, domain: agentHost },
    });
    await api(h, 'POST', '/api/v1/level-domains', {
      token,
      body: { brand_id: brandId, level: 2, domain: levelHost },
    });
    await h.redis.del(`domain:agent:${agentHost}`);
    await h.redis.set(`domain:level:${levelHost}`, JSON.stringify({ level: 9, brand_id: 999 }));
    await h.redis.set(`domain:agent:${staleAgent}`, JSON.stringify({ agent_id: 1, brand_id: 1 }));
    await h.redis.set(`domain:level:${staleLevel}`, JSON.stringify({ level: 1, brand_id: 1 }));

    const report = await rebuildDomainMaps(h.ds, h.redis);
    expect(report.removed_keys).toBeGreaterThanOrEqual(2);
    expect(await h.redis.get(`domain:agent:${agentHost}`)).toBe(
      JSON.stringify({ agent_id: agentId, brand_id: brandId }),
    );
    expect(await h.redis.get(`domain:level:${levelHost}`)).toBe(
      JSON.stringify({ level: 2, brand_id: brandId }),
    );
    expect(await h.redis.get(`domain:agent:${staleAgent}`)).toBeNull();
    expect(await h.redis.get(`domain:level:${staleLevel}`)).toBeNull();

    await h.redis.del(`domain:agent:${agentHost}`);
    const viaHttp = await api(h, 'POST', '/api/v1/domains/rebuild', { token });
    expect(viaHttp.body.data).toMatchObject({
      agent_domains: expect.any(Number),
      level_domains: expect.any(Number),
    });
    expect(await h.redis.get(`domain:agent:${agentHost}`)).not.toBeNull();
  });
});
