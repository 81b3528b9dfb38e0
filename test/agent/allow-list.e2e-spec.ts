/**
 * The agent_brand allow list (seed 001, ADR-009, CONTRACTS §11): cached per
 * process for AGENT_BRAND_CACHE_TTL_SECONDS, invalidated by the
 * AGENT_BRAND_CHANGED pub/sub channel; an active JWT survives revocation but
 * the next request after it (once the cache knows) is refused with 52.
 */
import { decodeJwt } from 'jose';
import { type Harness, startHarness, twoBrands } from './support';

async function waitForSubscriber(h: Harness): Promise<void> {
  for (let i = 0; i < 50; i += 1) {
    const [, count] = (await h.redis.pubsub('NUMSUB', 'AGENT_BRAND_CHANGED')) as [string, number];
    if (Number(count) > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('agent_service never subscribed to AGENT_BRAND_CHANGED');
}

async function eventually(fn: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met in time');
}

describe('allow list with the default 60 s cache', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('keeps serving a revoked agent within the cache window, and refuses the next request right after AGENT_BRAND_CHANGED', async () => {
    h = await startHarness('allow_list');
    const { alpha, hostA } = await twoBrands(h);
    const agent = await h.createAgent({});
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    const token = await h.login(agent, hostA);
    expect((await h.call('GET', '/agent/info', { host: hostA, token })).status).toBe(0);

    // admin_service revokes the membership (PostgreSQL is the truth) ...
    await h.setAgentBrand(agent.id, alpha, 'disabled');
    // ... the cached decision stands until the TTL or the invalidation message.
    expect((await h.call('GET', '/agent/info', { host: hostA, token })).status).toBe(0);

    await waitForSubscriber(h);
    await h.redis.publish('AGENT_BRAND_CHANGED', JSON.stringify({ agent_id: agent.id, brand_id: alpha }));
    await eventually(async () => (await h.call('GET', '/agent/info', { host: hostA, token })).status === 52);
    const refused = await h.call('GET', '/agent/info', { host: hostA, token });
    expect(refused).toMatchObject({ http: 403, status: 52, data: null });

    // The JWT itself survived: re-enabling the brand makes the same token work again.
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    await h.redis.publish('AGENT_BRAND_CHANGED', JSON.stringify({ agent_id: agent.id, brand_id: alpha }));
    await eventually(async () => (await h.call('GET', '/agent/info', { host: hostA, token })).status === 0);
    expect(decodeJwt(token).brand_id).toBe(alpha);
  });

  it('drops only the named agent and brand, and everything on an unreadable message', async () => {
    const { alpha, beta, hostA, hostB } = await twoBrands(h);
    const a1 = await h.createAgent({});
    const a2 = await h.createAgent({});
    for (const a of [a1, a2]) {
      await h.setAgentBrand(a.id, alpha, 'enabled');
      await h.setAgentBrand(a.id, beta, 'enabled');
    }
    const t1a = await h.login(a1, hostA);
    const t1b = await h.login(a1, hostB);
    const t2a = await h.login(a2, hostA);
    for (const [token, host] of [
      [t1a, hostA],
      [t1b, hostB],
      [t2a, hostA],
    ] as const) {
      expect((await h.call('GET', '/agent/info', { host, token })).status).toBe(0);
    }
    await h.setAgentBrand(a1.id, alpha, 'disabled');
    await h.setAgentBrand(a1.id, beta, 'disabled');
    await h.setAgentBrand(a2.id, alpha, 'disabled');
    await h.redis.publish('AGENT_BRAND_CHANGED', JSON.stringify({ agent_id: a1.id, brand_id: alpha }));
    await eventually(
      async () => (await h.call('GET', '/agent/info', { host: hostA, token: t1a })).status === 52,
    );
    // Not named by the message: still the cached decision.
    expect((await h.call('GET', '/agent/info', { host: hostB, token: t1b })).status).toBe(0);
    expect((await h.call('GET', '/agent/info', { host: hostA, token: t2a })).status).toBe(0);

    await h.redis.publish('AGENT_BRAND_CHANGED', 'not json');
    await eventually(
      async () => (await h.call('GET', '/agent/info', { host: hostB, token: t1b })).status === 52,
    );
    expect((await h.call('GET', '/agent/info', { host: hostA, token: t2a })).status).toBe(52);
  });
});

describe('allow list with a short cache and no message', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('refuses the agent once the cache entry expires', async () => {
    h = await startHarness('allow_ttl', { env: { AGENT_BRAND_CACHE_TTL_SECONDS: '1' } });
    const { alpha, hostA } = await twoBrands(h);
    const agent = await h.createAgent({});
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    const token = await h.login(agent, hostA);
    expect((await h.call('GET', '/agent/info', { host: hostA, token })).status).toBe(0);
    await h.setAgentBrand(agent.id, alpha, 'disabled');
    expect((await h.call('GET', '/agent/info', { host: hostA, token })).status).toBe(0);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await h.call('GET', '/agent/info', { host: hostA, token })).toMatchObject({
      http: 403,
      status: 52,
    });
  });
});
