// Seed 004 provider allow list: a brand without rows inherits every visible provider; the first
// single-provider PATCH materializes the visible set, so later providers are not inherited; every write
// publishes BRAND_PROVIDER_CHANGED and refreshes brand:provider_allowlist:{brand_id} (configured ids),
// while read APIs return effective ids after provider.is_show.
import Redis from 'ioredis';
import { suiteRedisUrl } from '../support/redis';
import { AdminHarness, api, auditRows, bootAdmin, insertBrand, operatorToken, uid } from './harness';

describe('admin provider allow list', () => {
  let h: AdminHarness;
  let token: string;
  const sub = new Redis(suiteRedisUrl(), { lazyConnect: true });
  const published: any[] = [];

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
    await sub.connect();
    sub.on(
      'message',
      (channel, raw) => channel === 'BRAND_PROVIDER_CHANGED' && published.push(JSON.parse(raw)),
    );
    await sub.subscribe('BRAND_PROVIDER_CHANGED');
  });
  afterAll(async () => {
    sub.disconnect();
    await h?.close();
  });

  const provider = async (isShow = true) =>
    (
      await api(h, 'POST', '/api/v1/providers', {
        token,
        body: { code: `pv-${uid()}`, name: 'Provider', is_show: isShow },
      })
    ).body.data.id as number;
  const patch = (brandId: number, providerId: number, enabled: boolean) =>
    api(h, 'PATCH', `/api/v1/brands/${brandId}/providers/${providerId}`, { token, body: { enabled } });
  const read = async (brandId: number) =>
    (await api(h, 'GET', `/api/v1/brands/${brandId}/providers`, { token })).body.data;
  const snapshot = async (brandId: number) => {
    const raw = await h.redis.get(`brand:provider_allowlist:${brandId}`);
    return raw === null ? null : JSON.parse(raw);
  };
  const waitFor = async (pred: (m: any) => boolean) => {
    for (let i = 0; i < 50 && !published.some(pred); i++) await new Promise((r) => setTimeout(r, 20));
    return published.find(pred);
  };

  it('materializes the visible set on the first PATCH, stops inheriting, and keeps Redis and reads apart', async () => {
    const visibleA = await provider();
    const visibleB = await provider();
    const hidden = await provider(false);
    const brandId = await insertBrand(h);
    const all = (await api(h, 'GET', '/api/v1/providers', { token })).body.data;
    const visibleIds = all.filter((p: { is_show: boolean }) => p.is_show).map((p: { id: number }) => p.id);

    const before = await read(brandId);
    expect(before).toMatchObject({
      inherits_global: true,
      configured: [],
      effective_provider_ids: visibleIds,
    });

    const res = await patch(brandId, visibleA, false);
    expect(res.status).toBe(200);
    expect(res.body.data.inherits_global).toBe(false);
    expect(res.body.data.configured.map((r: { provider_id: number }) => r.provider_id)).toEqual(visibleIds);
    expect(res.body.data.effective_provider_ids).toEqual(visibleIds.filter((id: number) => id !== visibleA));
    expect(await snapshot(brandId)).toEqual(visibleIds.filter((id: number) => id !== visibleA));
    expect(await waitFor((m) => m.brand_id === brandId)).toMatchObject({
      provider_ids: visibleIds.filter((id: number) => id !== visibleA),
    });

    const audit = await auditRows(h, `action = 'SET_BRAND_PROVIDER' AND brand_id = $1`, [brandId]);
    expect(audit[0]).toMatchObject({
      resource_id: String(visibleA),
      after: { enabled: false },
      payload: { materialized: visibleIds.length },
    });

    // A provider added later is not inherited by a brand with a policy.
    const later = await provider();
    expect((await read(brandId)).effective_provider_ids).not.toContain(later);

    // Enabling a hidden provider: configured (Redis) but not effective (is_show=false).
    await patch(brandId, hidden, true);
    expect(await snapshot(brandId)).toContain(hidden);
    expect((await read(brandId)).effective_provider_ids).not.toContain(hidden);
    expect((await read(brandId)).effective_provider_ids).toContain(visibleB);
  });

  it('leaves other brands inheriting', async () => {
    const p = await provider();
    const a = await insertBrand(h);
    const b = await insertBrand(h);
    await patch(a, p, false);
    expect(await read(b)).toMatchObject({ inherits_global: true });
    expect((await read(b)).effective_provider_ids).toContain(p);
    expect(await snapshot(b)).toBeNull();
  });

  it('hiding a provider globally removes it from effective ids but not from the configured snapshot', async () => {
    const p = await provider();
    const brandId = await insertBrand(h);
    await patch(brandId, p, true);
    await api(h, 'PATCH', `/api/v1/providers/${p}`, { token, body: { is_show: false } });
    expect((await read(brandId)).effective_provider_ids).not.toContain(p);
    expect(await snapshot(brandId)).toContain(p);
  });

  it('clearing the policy returns the brand to inheritance and drops the snapshot', async () => {
    const p = await provider();
    const brandId = await insertBrand(h);
    await patch(brandId, p, false);
    expect(await snapshot(brandId)).not.toBeNull();
    const res = await api(h, 'DELETE', `/api/v1/brands/${brandId}/providers`, { token });
    expect(res.body.data.inherits_global).toBe(true);
    expect(await snapshot(brandId)).toBeNull();
    expect(
      await h.ds.query(`SELECT 1 FROM brand_provider_config WHERE brand_id = $1`, [brandId]),
    ).toHaveLength(0);
  });

  it('answers 404 for an unknown provider or brand and 400 for a missing flag', async () => {
    const brandId = await insertBrand(h);
    expect((await patch(brandId, 999999, true)).status).toBe(404);
    expect((await patch(999999, await provider(), true)).status).toBe(404);
    const bad = await api(h, 'PATCH', `/api/v1/brands/${brandId}/providers/1`, {
      token,
      body: { enabled: 'yes' },
    });
    expect([bad.status, bad.body.status]).toEqual([400, 2]);
    expect(
      await h.ds.query(`SELECT 1 FROM brand_provider_config WHERE brand_id = $1`, [brandId]),
    ).toHaveLength(0);
  });
});
