/**
 * DomainMapResolver over real Redis: concurrent lookups of one domain share
 * one MGET (a cache expiry under load sends one, not one per request), a
 * failure reaches every waiter (callers fail closed), and a lookup that
 * straddles invalidate() is neither shared nor cached afterwards.
 */
import Redis from 'ioredis';
import { agentDomainKey, DomainMapResolver, DomainMapUnavailableError } from '@app/brand-context';
import { flushSuiteRedis, suiteRedisUrl } from '../support/redis';

describe('DomainMapResolver', () => {
  const url = suiteRedisUrl();
  let redis: Redis;

  beforeAll(async () => {
    await flushSuiteRedis(url);
    redis = new Redis(url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    await flushSuiteRedis(url);
  });

  beforeEach(async () => {
    await redis.set(agentDomainKey('one.example'), JSON.stringify({ brand_id: 1, agent_id: 7 }));
    await redis.set(agentDomainKey('two.example'), JSON.stringify({ brand_id: 2, agent_id: 8 }));
  });

  afterEach(() => jest.restoreAllMocks());

  it('answers concurrent requests for one domain with one MGET, and each domain with its own', async () => {
    const resolver = new DomainMapResolver(redis, 5000);
    const mget = jest.spyOn(redis, 'mget');
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => resolver.resolve('one.example')),
      ...Array.from({ length: 5 }, () => resolver.resolve('two.example')),
    ]);
    expect(mget).toHaveBeenCalledTimes(2);
    expect(results.slice(0, 20).every((b) => b?.brandId === 1 && b.agentId === 7)).toBe(true);
    expect(results.slice(20).every((b) => b?.brandId === 2)).toBe(true);
    // Cached afterwards: no lookup at all.
    expect(resolver.cached('one.example')).toEqual({ brandId: 1, agentId: 7, level: null });
    await resolver.resolve('one.example');
    expect(mget).toHaveBeenCalledTimes(2);
  });

  it('looks an unknown domain up again on the next request (misses are not kept)', async () => {
    const resolver = new DomainMapResolver(redis, 5000);
    const mget = jest.spyOn(redis, 'mget');
    expect(await Promise.all([resolver.resolve('nope.example'), resolver.resolve('nope.example')])).toEqual([
      null,
      null,
    ]);
    expect(await resolver.resolve('nope.example')).toBeNull();
    expect(mget).toHaveBeenCalledTimes(2);
  });

  it('hands a failed lookup to every waiter and tries again on the next request', async () => {
    const resolver = new DomainMapResolver(redis, 5000);
    const mget = jest.spyOn(redis, 'mget').mockRejectedValueOnce(new Error('connection lost'));
    const settled = await Promise.allSettled([
      resolver.resolve('one.example'),
      resolver.resolve('one.example'),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    for (const s of settled)
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(DomainMapUnavailableError);
    expect((await resolver.resolve('one.example'))?.brandId).toBe(1);
    expect(mget).toHaveBeenCalledTimes(2);
  });

  it('does not keep a lookup in flight that failed before reaching Redis', async () => {
    const resolver = new DomainMapResolver(redis, 5000);
    const mget = jest.spyOn(redis, 'mget').mockImplementationOnce(() => {
      throw new Error('not connected');
    });
    await expect(resolver.resolve('one.example')).rejects.toBeInstanceOf(DomainMapUnavailableError);
    expect((await resolver.resolve('one.example'))?.brandId).toBe(1);
    expect(mget).toHaveBeenCalledTimes(2);
  });

  it('does not share or keep a lookup that started before invalidate()', async () => {
    const resolver = new DomainMapResolver(redis, 5000);
    const mget = jest.spyOn(redis, 'mget');
    const before = resolver.resolve('one.example');
    // Admin rebinds the domain while the first lookup is on its way.
    resolver.invalidate();
    await redis.set(agentDomainKey('one.example'), JSON.stringify({ brand_id: 2, agent_id: 9 }));
    const after = resolver.resolve('one.example');
    expect(after).not.toBe(before);
    expect((await before)?.brandId).toBe(1);
    expect((await after)?.brandId).toBe(2);
    expect(resolver.cached('one.example')?.brandId).toBe(2);
    expect(mget).toHaveBeenCalledTimes(2);
  });
});
