// Seed 004 / ADR-009 brand catalog: create/list/read/update/enable/disable, brand_code prefix-disjointness
// against other codes and against player accounts already sent to providers (409, status 8),
// BRAND_CATALOG_CHANGED after every change, every write audited with the brand.
import Redis from 'ioredis';
import { suiteRedisUrl } from '../support/redis';
import {
  AdminHarness,
  api,
  auditRows,
  bootAdmin,
  insertBrand,
  insertPlayer,
  operatorToken,
  uid,
} from './harness';

/** Collects messages of one pub/sub channel. */
async function listen(
  channel: string,
): Promise<{ messages: any[]; close(): void; next(pred: (m: any) => boolean): Promise<any> }> {
  const sub = new Redis(suiteRedisUrl());
  const messages: any[] = [];
  const waiters: Array<{ pred: (m: any) => boolean; resolve: (m: any) => void }> = [];
  sub.on('message', (ch, raw) => {
    if (ch !== channel) return;
    const msg = JSON.parse(raw);
    messages.push(msg);
    for (const w of [...waiters]) {
      if (!w.pred(msg)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(msg);
    }
  });
  await sub.subscribe(channel);
  return {
    messages,
    close: () => sub.disconnect(),
    next: (pred) =>
      new Promise((resolve, reject) => {
        const found = messages.find(pred);
        if (found) return resolve(found);
        waiters.push({ pred, resolve });
        setTimeout(() => reject(new Error(`no ${channel} message`)), 3000).unref();
      }),
  };
}

describe('admin brand catalog', () => {
  let h: AdminHarness;
  let token: string;
  let adminId: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token, adminId } = await operatorToken(h));
  });
  afterAll(async () => h?.close());

  const create = (brand_code: string, extra: Record<string, unknown> = {}) =>
    api(h, 'POST', '/api/v1/brands', {
      token,
      body: { brand_code, name: `Brand ${brand_code}`, default_currency: 'krw', ...extra },
    });

  it('creates a brand with the contract shape, audits it and publishes BRAND_CATALOG_CHANGED', async () => {
    const events = await listen('BRAND_CATALOG_CHANGED');
    try {
      const code = `new${uid()}`;
      const res = await create(code);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        status: 0,
        msg: 'ok',
        data: {
          id: expect.any(Number),
          brand_code: code,
          name: `Brand ${code}`,
          default_currency: 'KRW',
          status: 'enabled',
        },
      });
      const msg = await events.next((m) => m.brand_id === res.body.data.id);
      expect(msg).toMatchObject({ action: 'created', brand_code: code, status: 'enabled' });
      const rows = await auditRows(h, `action = 'CREATE_BRAND' AND brand_id = $1`, [res.body.data.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ operator_id: String(adminId), resource: 'brand' });
    } finally {
      events.close();
    }
  });

  it('refuses a code that is a prefix of an existing code, has one as a prefix, or equals one (409, status 8)', async () => {
    const base = `pfx${uid()}`;
    expect((await create(base)).status).toBe(201);
    for (const code of [base, base.slice(0, -1), `${base}x`, `${base}2024`]) {
      const res = await create(code);
      expect([code, res.status, res.body.status]).toEqual([code, 409, 8]);
    }
    expect((await create(`q${uid()}`)).status).toBe(201);
  });

  it('refuses a code that prefixes a player account already namespaced to providers, in any brand', async () => {
    const code = `zeta${uid()}`;
    const other = await insertBrand(h);
    await insertPlayer(h, other, `${code}_john`);
    for (const candidate of [code, code.slice(0, -2)]) {
      const res = await create(candidate);
      expect([candidate, res.status, res.body.status, res.body.data]).toEqual([
        candidate,
        409,
        8,
        { conflict: 'player_account' },
      ]);
    }
    const unrelated = await create(`${code}x`);
    expect(unrelated.status).toBe(201);
    expect(await h.ds.query(`SELECT 1 FROM brand WHERE brand_code = $1`, [code])).toHaveLength(0);
  });

  it('lets only one of two concurrent prefix-colliding creates succeed', async () => {
    const base = `cc${uid()}`;
    const results = await Promise.all([create(base), create(`${base}z`)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('validates brand_code and currency (400, status 2)', async () => {
    for (const body of [
      { brand_code: 'a', name: 'x', default_currency: 'KRW' },
      { brand_code: 'bad_code', name: 'x', default_currency: 'KRW' },
      { brand_code: '1abc', name: 'x', default_currency: 'KRW' },
      { brand_code: `ok${uid()}`, name: 'x', default_currency: 'won!' },
    ]) {
      const res = await api(h, 'POST', '/api/v1/brands', { token, body });
      expect([res.status, res.body.status]).toEqual([400, 2]);
    }
  });

  it('lists and reads brands, 404 for an unknown id', async () => {
    const code = `rd${uid()}`;
    const id = (await create(code)).body.data.id;
    const list = await api(h, 'GET', '/api/v1/brands', { token });
    expect(list.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id, brand_code: code }),
        expect.objectContaining({ brand_code: 'default' }),
      ]),
    );
    expect((await api(h, 'GET', `/api/v1/brands/${id}`, { token })).body.data).toMatchObject({
      id,
      brand_code: code,
    });
    const missing = await api(h, 'GET', '/api/v1/brands/999999', { token });
    expect([missing.status, missing.body.status]).toEqual([404, 5]);
  });

  it('updates name and currency but never the code, and audits the prior values', async () => {
    const code = `up${uid()}`;
    const id = (await create(code)).body.data.id;
    const res = await api(h, 'PATCH', `/api/v1/brands/${id}`, {
      token,
      body: { name: 'Renamed', default_currency: 'usd', brand_code: 'hijack' },
    });
    expect(res.body.data).toEqual({
      id,
      brand_code: code,
      name: 'Renamed',
      default_currency: 'USD',
      status: 'enabled',
    });
    const rows = await auditRows(h, `action = 'UPDATE_BRAND' AND brand_id = $1`, [id]);
    expect(rows[0].before).toMatchObject({ name: `Brand ${code}`, default_currency: 'KRW' });
    expect(rows[0].after).toMatchObject({ name: 'Renamed', default_currency: 'USD' });
  });

  it('disables and enables a brand, publishing each change', async () => {
    const events = await listen('BRAND_CATALOG_CHANGED');
    try {
      const id = (await create(`en${uid()}`)).body.data.id;
      const off = await api(h, 'POST', `/api/v1/brands/${id}/disable`, { token });
      expect([off.status, off.body.data.status]).toEqual([200, 'disabled']);
      await events.next((m) => m.brand_id === id && m.action === 'disabled');
      const on = await api(h, 'POST', `/api/v1/brands/${id}/enable`, { token });
      expect(on.body.data.status).toBe('enabled');
      await events.next((m) => m.brand_id === id && m.action === 'enabled');
      const actions = (await auditRows(h, `brand_id = $1 AND resource = 'brand'`, [id])).map((r) => r.action);
      expect(actions).toEqual(['CREATE_BRAND', 'DISABLE_BRAND', 'ENABLE_BRAND']);
    } finally {
      events.close();
    }
  });
});
