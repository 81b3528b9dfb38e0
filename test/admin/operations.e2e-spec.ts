// Seed 004 brand-scoped operations: players, deposits, withdrawals, messages, notices, banners and coupons
// resolve one brand (X-Brand-Id, else the Redis domain map of the request host) or answer status 54, and
// never see another brand's rows. BrandResolutionMiddleware skips probe/docs paths (not /auth/login) and
// counts brand_resolution_failed_total{reason="redis_error"} when Redis is down.
import { request as httpRequest } from 'node:http';
import { ADMIN_PIPELINE } from '../../apps/admin/src/app.module';
import { BRAND_RESOLUTION_SKIP_PATHS } from '../../apps/admin/src/common/brand-resolution.middleware';
import {
  adminWithRedisDown,
  AdminHarness,
  api,
  auditRows,
  bootAdmin,
  insertAgent,
  insertBrand,
  insertPlayer,
  metricValue,
  operatorToken,
  uid,
} from './harness';

/** fetch cannot set Host: a raw request with an explicit Host header. */
function withHost(
  url: string,
  path: string,
  hostHeader: string,
  token: string,
): Promise<{ status: number; body: any }> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'GET',
        headers: { host: hostHeader, authorization: `Bearer ${token}` },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const SCOPED_LISTS = [
  '/api/v1/players',
  '/api/v1/players/deposits',
  '/api/v1/players/withdrawals',
  '/api/v1/agents/withdrawals',
  '/api/v1/messages',
  '/api/v1/notices',
  '/api/v1/banners',
  '/api/v1/coupons',
  '/api/v1/coupons/logs',
  '/api/v1/coupons/recycle-logs',
  '/api/v1/logs/player-balance',
];

describe('admin brand-scoped operations', () => {
  let h: AdminHarness;
  let token: string;
  let a: number;
  let b: number;
  let playerA: number;
  let playerB: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token } = await operatorToken(h));
    a = await insertBrand(h);
    b = await insertBrand(h);
    playerA = await insertPlayer(h, a, 'same_account');
    playerB = await insertPlayer(h, b, 'same_account');
    await h.ds.query(
      `INSERT INTO player_deposit (brand_id, player_id, amount) VALUES ($1, $2, 10), ($3, $4, 20)`,
      [a, playerA, b, playerB],
    );
    await h.ds.query(
      `INSERT INTO player_withdraw (brand_id, player_id, amount) VALUES ($1, $2, 11), ($3, $4, 21)`,
      [a, playerA, b, playerB],
    );
    await h.ds.query(`INSERT INTO coupon (brand_id, player_id, amount) VALUES ($1, $2, 5), ($3, $4, 6)`, [
      a,
      playerA,
      b,
      playerB,
    ]);
  });
  afterAll(async () => h?.close());

  it('declares request-id before brand resolution in the middleware pipeline', () => {
    expect(ADMIN_PIPELINE.names()).toEqual(['request-id', 'brand-resolution']);
    expect(BRAND_RESOLUTION_SKIP_PATHS).toEqual(['/health', '/healthz', '/docs', '/openapi.json', '/redoc']);
    expect(BRAND_RESOLUTION_SKIP_PATHS).not.toContain('/api/v1/auth/login');
  });

  it.each(SCOPED_LISTS)('%s answers 400 status 54 without a resolvable brand', async (path) => {
    for (const header of [undefined, '0', '-3', 'abc']) {
      const res = await api(h, 'GET', path, {
        token,
        headers: header === undefined ? {} : { 'x-brand-id': header },
      });
      expect([path, header, res.status, res.body.status]).toEqual([path, header, 400, 54]);
    }
  });

  it('lists only the rows of the X-Brand-Id brand', async () => {
    const players = await api(h, 'GET', '/api/v1/players', { token, brandId: a });
    expect(players.body.data.items.map((p: { player_id: number }) => p.player_id)).toEqual([playerA]);
    expect(players.body.data.items[0]).not.toHaveProperty('phone_num');
    const deposits = await api(h, 'GET', '/api/v1/players/deposits', { token, brandId: b });
    expect(deposits.body.data.items.map((d: { amount: string }) => d.amount)).toEqual(['20.00']);
    const withdrawals = await api(h, 'GET', '/api/v1/players/withdrawals', { token, brandId: a });
    expect(withdrawals.body.data.items.map((d: { amount: string }) => d.amount)).toEqual(['11.00']);
    const coupons = await api(h, 'GET', '/api/v1/coupons', { token, brandId: b });
    expect(coupons.body.data).toMatchObject({ total: 1, items: [expect.objectContaining({ brand_id: b })] });
  });

  it('does not find another brand row by id', async () => {
    expect((await api(h, 'GET', `/api/v1/players/${playerB}`, { token, brandId: a })).status).toBe(404);
    expect(
      (await api(h, 'GET', `/api/v1/players/${playerA}`, { token, brandId: a })).body.data.player_id,
    ).toBe(playerA);
    const [dep] = await h.ds.query(`SELECT id FROM player_deposit WHERE brand_id = $1`, [b]);
    expect((await api(h, 'GET', `/api/v1/players/deposits/${dep.id}`, { token, brandId: a })).status).toBe(
      404,
    );
  });

  it('resolves the brand from the domain map of the request host when no X-Brand-Id is sent', async () => {
    const domain = `ops-${uid()}.example.test`;
    const agentId = await insertAgent(h);
    await h.redis.set(`domain:agent:${domain}`, JSON.stringify({ agent_id: agentId, brand_id: b }));
    const res = await withHost(h.admin.url, '/api/v1/players', `${domain}:443`, token);
    expect(res.status).toBe(200);
    expect(res.body.data.items.map((p: { player_id: number }) => p.player_id)).toEqual([playerB]);
    const unmapped = await withHost(h.admin.url, '/api/v1/players', `nowhere-${uid()}.test`, token);
    expect([unmapped.status, unmapped.body.status]).toEqual([400, 54]);
  });

  it('prefers X-Brand-Id over the domain map', async () => {
    const domain = `pref-${uid()}.example.test`;
    await h.redis.set(`domain:level:${domain}`, JSON.stringify({ level: 1, brand_id: b }));
    const res = await api(h, 'GET', '/api/v1/players', {
      token,
      brandId: a,
      headers: { origin: `https://${domain}` },
    });
    expect(res.body.data.items.map((p: { player_id: number }) => p.player_id)).toEqual([playerA]);
  });

  it('creates, changes and deletes notices and banners inside one brand only', async () => {
    const notice = await api(h, 'POST', '/api/v1/notices', {
      token,
      brandId: a,
      body: { title: 'Hello A', content: 'Only A' },
    });
    expect(notice.body.data).toMatchObject({ brand_id: a, title: 'Hello A', is_show: true });
    expect((await api(h, 'GET', '/api/v1/notices', { token, brandId: b })).body.data.items).toEqual([]);
    const foreignPatch = await api(h, 'PATCH', `/api/v1/notices/${notice.body.data.id}`, {
      token,
      brandId: b,
      body: { title: 'hijacked' },
    });
    expect(foreignPatch.status).toBe(404);
    const foreignDelete = await api(h, 'DELETE', `/api/v1/notices/${notice.body.data.id}`, {
      token,
      brandId: b,
    });
    expect(foreignDelete.status).toBe(404);
    const patched = await api(h, 'PATCH', `/api/v1/notices/${notice.body.data.id}`, {
      token,
      brandId: a,
      body: { is_show: false },
    });
    expect(patched.body.data).toMatchObject({ title: 'Hello A', is_show: false });

    const banner = await api(h, 'POST', '/api/v1/banners', {
      token,
      brandId: b,
      body: { image_url: 'https://cdn.example.test/b.png' },
    });
    expect(banner.body.data).toMatchObject({ brand_id: b, position: 'home' });
    expect((await api(h, 'GET', '/api/v1/banners', { token, brandId: a })).body.data.total).toBe(0);
    expect(
      (await api(h, 'DELETE', `/api/v1/banners/${banner.body.data.id}`, { token, brandId: b })).status,
    ).toBe(200);
    expect(
      (await auditRows(h, `brand_id = $1 AND action IN ('CREATE_NOTICE', 'UPDATE_NOTICE')`, [a])).length,
    ).toBe(2);
  });

  it('sends a message only to a player of the request brand', async () => {
    const refused = await api(h, 'POST', '/api/v1/messages', {
      token,
      brandId: a,
      body: { player_id: playerB, title: 't', content: 'c' },
    });
    expect(refused.status).toBe(404);
    const sent = await api(h, 'POST', '/api/v1/messages', {
      token,
      brandId: a,
      body: { player_id: playerA, title: 't', content: 'c' },
    });
    expect(sent.body.data).toMatchObject({ brand_id: a, player_id: playerA });
    expect(
      (await api(h, 'GET', `/api/v1/messages?player_id=${playerA}`, { token, brandId: b })).body.data.total,
    ).toBe(0);
  });

  it('updates a player status within the brand and audits it', async () => {
    const res = await api(h, 'PATCH', `/api/v1/players/${playerA}`, {
      token,
      brandId: a,
      body: { status: 'locked' },
    });
    expect(res.body.data.status).toBe('locked');
    expect(
      (
        await api(h, 'PATCH', `/api/v1/players/${playerA}`, {
          token,
          brandId: b,
          body: { status: 'enabled' },
        })
      ).status,
    ).toBe(404);
    const audit = await auditRows(h, `action = 'UPDATE_PLAYER' AND brand_id = $1`, [a]);
    expect(audit[0]).toMatchObject({ before: { status: 'enabled' }, after: { status: 'locked' } });
  });
});

describe('admin brand resolution with Redis down', () => {
  const down = adminWithRedisDown();

  const redisErrors = () =>
    metricValue(down.h(), 'brand_resolution_failed_total', {
      reason: 'redis_error',
      service: 'admin_service',
    });

  it('counts reason="redis_error" and leaves the brand unresolved (status 54)', async () => {
    const [h, token] = [down.h(), down.token()];
    const before = await redisErrors();
    const res = await withHost(h.admin.url, '/api/v1/players', `down-${uid()}.test`, token);
    expect([res.status, res.body.status]).toEqual([400, 54]);
    expect(await redisErrors()).toBe(before + 1);
  });

  it('skips /health and the docs paths but not /api/v1/auth/login', async () => {
    const h = down.h();
    const before = await redisErrors();
    for (const path of ['/health', '/healthz', '/docs', '/openapi.json', '/redoc']) await api(h, 'GET', path);
    expect(await redisErrors()).toBe(before);
    await api(h, 'POST', '/api/v1/auth/login', { body: { account: 'x', password: 'y' } });
    expect(await redisErrors()).toBe(before + 1);
  });

  it('still serves X-Brand-Id requests without touching Redis', async () => {
    const [h, token] = [down.h(), down.token()];
    const brandId = await insertBrand(h);
    const res = await api(h, 'GET', '/api/v1/players', { token, brandId });
    expect([res.status, res.body.data.total]).toEqual([200, 0]);
  });

  it('refuses a domain write it cannot mirror into Redis (502, status 7) and keeps no row', async () => {
    const [h, token] = [down.h(), down.token()];
    const brandId = await insertBrand(h);
    const domain = `nomirror-${uid()}.test`;
    const res = await api(h, 'POST', '/api/v1/level-domains', {
      token,
      body: { brand_id: brandId, level: 1, domain },
    });
    expect([res.status, res.body.status]).toEqual([502, 7]);
    expect(await h.ds.query(`SELECT 1 FROM level_domain WHERE domain = $1`, [domain])).toHaveLength(0);
  });
});
