// Admin input that used to reach the database and fail there with a 500: null in a PATCH field whose
// column is NOT NULL, a NUL character in text, an X-Brand-Id naming no brand (an FK violation on
// writes, an empty page on reads), a whitespace-only brand name. Each is refused up front with the
// CONTRACTS §2 status (2 invalid input, 50 brand unresolved) and nothing is written. Also: the
// brand_code prefix check against player accounts ignores case (ADR-009 prefix-disjointness).
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

const UNKNOWN_BRAND = 987654321;

describe('admin input hardening', () => {
  let h: AdminHarness;
  let token: string;
  let brand: number;
  let player: number;
  let notice: number;
  let banner: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
    brand = await insertBrand(h);
    player = await insertPlayer(h, brand);
    notice = (
      await api(h, 'POST', '/api/v1/notices', { token, brandId: brand, body: { title: 't', content: 'c' } })
    ).body.data.id;
    banner = (
      await api(h, 'POST', '/api/v1/banners', {
        token,
        brandId: brand,
        body: { image_url: 'https://cdn.example.test/a.png', link_url: 'https://example.test/' },
      })
    ).body.data.id;
  });
  afterAll(async () => h?.close());

  const send = (method: string, path: string, body: unknown, brandId = brand) =>
    api(h, method, path, { token, brandId, body });

  describe('null in a field whose column is NOT NULL', () => {
    it.each([
      ['PATCH', () => `/api/v1/notices/${notice}`, { title: null }],
      ['PATCH', () => `/api/v1/notices/${notice}`, { kind: null }],
      ['PATCH', () => `/api/v1/notices/${notice}`, { content: null }],
      ['PATCH', () => `/api/v1/notices/${notice}`, { is_show: null }],
      ['PATCH', () => `/api/v1/notices/${notice}`, { sort: null }],
      ['PATCH', () => `/api/v1/banners/${banner}`, { image_url: null }],
      ['PATCH', () => `/api/v1/banners/${banner}`, { title: null }],
      ['PATCH', () => `/api/v1/banners/${banner}`, { position: null }],
      ['PATCH', () => `/api/v1/players/${player}`, { status: null }],
      ['PATCH', () => `/api/v1/players/${player}`, { level: null }],
      ['POST', () => '/api/v1/notices', { title: 't', content: 'c', kind: null }],
      ['POST', () => '/api/v1/notices', { title: 't', content: 'c', sort: null }],
      ['POST', () => '/api/v1/banners', { image_url: 'https://cdn.example.test/b.png', position: null }],
    ])('%s %# answers 400 status 2', async (method, path, body) => {
      const res = await send(method, path(), body);
      expect([res.status, res.body.status]).toEqual([400, 2]);
      expect(Object.keys(res.body.data.fields)).toEqual(
        Object.keys(body).filter((k) => body[k as keyof typeof body] === null),
      );
    });

    it('clears the nullable banner link and player nickname with null', async () => {
      const cleared = await send('PATCH', `/api/v1/banners/${banner}`, { link_url: null });
      expect([cleared.status, cleared.body.data.link_url]).toEqual([200, null]);
      const nick = await send('PATCH', `/api/v1/players/${player}`, { nickname: null });
      expect([nick.status, nick.body.data.nickname]).toEqual([200, null]);
    });

    it('refuses null brand fields on PATCH /brands/{id}', async () => {
      const brandId = await insertBrand(h);
      for (const body of [{ name: null }, { default_currency: null }, { status: null }]) {
        const res = await api(h, 'PATCH', `/api/v1/brands/${brandId}`, { token, body });
        expect([JSON.stringify(body), res.status, res.body.status]).toEqual([JSON.stringify(body), 400, 2]);
      }
    });
  });

  describe('NUL characters in text', () => {
    it.each([
      ['POST', () => '/api/v1/notices', () => ({ title: 't\u0000x', content: 'c' })],
      ['PATCH', () => `/api/v1/notices/${notice}`, () => ({ content: 'c\u0000' })],
      [
        'POST',
        () => '/api/v1/banners',
        () => ({ image_url: 'https://cdn.example.test/b.png', title: '\u0000' }),
      ],
      ['PATCH', () => `/api/v1/players/${player}`, () => ({ nickname: 'n\u0000' })],
      ['POST', () => '/api/v1/messages', () => ({ player_id: player, title: 't', content: 'c\u0000' })],
      [
        'POST',
        () => '/api/v1/brands',
        () => ({ brand_code: `nul${uid()}`, name: 'a\u0000', default_currency: 'KRW' }),
      ],
    ])('%s %# answers 400 status 2', async (method, path, body) => {
      const res = await send(method, path(), body());
      expect([res.status, res.body.status]).toEqual([400, 2]);
    });

    it('answers a NUL in a query filter with status 2', async () => {
      const res = await api(h, 'GET', '/api/v1/players?account=a%00b', { token, brandId: brand });
      expect([res.status, res.body.status]).toEqual([400, 2]);
    });
  });

  describe('an X-Brand-Id that names no brand', () => {
    it('refuses brand-scoped writes with status 50 and writes nothing', async () => {
      const before = await h.ds.query(`SELECT count(*)::int AS n FROM player_notice`);
      for (const [method, path, body] of [
        ['POST', '/api/v1/notices', { title: 't', content: 'c' }],
        ['POST', '/api/v1/banners', { image_url: 'https://cdn.example.test/c.png' }],
        ['PATCH', `/api/v1/notices/${notice}`, { title: 'x' }],
      ] as const) {
        const res = await send(method, path, body, UNKNOWN_BRAND);
        expect([path, res.status, res.body.status]).toEqual([path, 400, 50]);
      }
      expect(await h.ds.query(`SELECT count(*)::int AS n FROM player_notice`)).toEqual(before);
      expect(await auditRows(h, 'brand_id = $1', [UNKNOWN_BRAND])).toEqual([]);
    });

    it('refuses brand-scoped reads with status 50 instead of an empty page', async () => {
      for (const path of ['/api/v1/notices', '/api/v1/players', `/api/v1/players/${player}`]) {
        const res = await api(h, 'GET', path, { token, brandId: UNKNOWN_BRAND });
        expect([path, res.status, res.body.status]).toEqual([path, 400, 50]);
      }
    });

    it('still serves brand-global routes with that header', async () => {
      const res = await api(h, 'GET', '/api/v1/brands', { token, brandId: UNKNOWN_BRAND });
      expect(res.status).toBe(200);
    });

    it('accepts a brand as soon as it exists', async () => {
      const created = await api(h, 'POST', '/api/v1/brands', {
        token,
        body: { brand_code: `fresh${uid()}`, name: 'Fresh', default_currency: 'KRW' },
      });
      const res = await send('POST', '/api/v1/notices', { title: 't', content: 'c' }, created.body.data.id);
      expect([res.status, res.body.data.brand_id]).toEqual([201, created.body.data.id]);
    });
  });

  describe('brand catalog', () => {
    it('refuses a whitespace-only brand name (400, status 2) and keeps the old name', async () => {
      const code = `ws${uid()}`;
      const id = (
        await api(h, 'POST', '/api/v1/brands', {
          token,
          body: { brand_code: code, name: 'Kept', default_currency: 'KRW' },
        })
      ).body.data.id;
      const res = await api(h, 'PATCH', `/api/v1/brands/${id}`, { token, body: { name: '   ' } });
      expect([res.status, res.body.status]).toEqual([400, 2]);
      expect((await api(h, 'GET', `/api/v1/brands/${id}`, { token })).body.data.name).toBe('Kept');
      const created = await api(h, 'POST', '/api/v1/brands', {
        token,
        body: { brand_code: `ws${uid()}`, name: ' \t ', default_currency: 'KRW' },
      });
      expect([created.status, created.body.status]).toEqual([400, 2]);
    });

    it('refuses a code that prefixes a player account written in capitals (409, status 8)', async () => {
      const code = `cap${uid()}`.replace(/[0-9]/g, 'q');
      await insertPlayer(h, brand, `${code.toUpperCase()}_John`);
      for (const candidate of [code, code.slice(0, -1)]) {
        const res = await api(h, 'POST', '/api/v1/brands', {
          token,
          body: { brand_code: candidate, name: candidate, default_currency: 'KRW' },
        });
        expect([candidate, res.status, res.body.status, res.body.data]).toEqual([
          candidate,
          409,
          8,
          { conflict: 'player_account' },
        ]);
      }
    });

    it('still accepts a code that only shares a mixed-case look-alike with no account', async () => {
      const code = `mix${uid()}`.replace(/[0-9]/g, 'z');
      await insertPlayer(h, brand, `${code.slice(0, 2)}X_alice`);
      const res = await api(h, 'POST', '/api/v1/brands', {
        token,
        body: { brand_code: code, name: code, default_currency: 'KRW' },
      });
      expect(res.status).toBe(201);
    });
  });
});
