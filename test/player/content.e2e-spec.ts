// Player messages and common content, brand-scoped (seed 000 "player messages", "common notices, banners, captcha, and site settings"; issue 4 points 4, 5).
import { type PlayerApp, type PlayerHarness, registerAndLogin, startPlayerHarness } from './harness';

describe('player messages and common content', () => {
  let h: PlayerHarness;
  let app: PlayerApp;
  let alpha: number;
  let beta: number;

  beforeAll(async () => {
    h = await startPlayerHarness('player-content');
    alpha = await h.createBrand('alpha');
    beta = await h.createBrand('beta');
    app = await h.boot();
  });
  afterAll(() => h.close());

  const addMessage = async (brandId: number, playerId: number, title: string) =>
    Number(
      (
        await h.pg.query<{ id: string }>(
          `INSERT INTO player_message (brand_id, player_id, title, content) VALUES ($1, $2, $3, 'body of ' || $3) RETURNING id`,
          [brandId, playerId, title],
        )
      ).rows[0].id,
    );

  describe('messages', () => {
    let me: Awaited<ReturnType<typeof registerAndLogin>>;
    let other: Awaited<ReturnType<typeof registerAndLogin>>;
    const ids: number[] = [];

    beforeAll(async () => {
      me = await registerAndLogin(app, alpha, 'reader');
      other = await registerAndLogin(app, alpha, 'other_reader');
      for (let i = 1; i <= 5; i += 1) ids.push(await addMessage(alpha, me.playerId, `m${i}`));
      await addMessage(alpha, other.playerId, 'not yours');
    });

    it('lists the player’s messages newest first, paged', async () => {
      const page1 = await app.call('GET', '/internal/players/messages?page=1&page_size=2', { brand: alpha, identity: me });
      expect([page1.http, page1.status]).toEqual([200, 0]);
      expect(page1.data).toMatchObject({ page: 1, page_size: 2, total: 5 });
      expect(page1.data.items.map((m: { title: string }) => m.title)).toEqual(['m5', 'm4']);
      const page3 = await app.call('GET', '/internal/players/messages?page=3&page_size=2', { brand: alpha, identity: me });
      expect(page3.data.items.map((m: { title: string }) => m.title)).toEqual(['m1']);
      expect(page3.data.items[0]).toEqual({ id: ids[0], title: 'm1', content: 'body of m1', is_read: false, read_at: null, created_at: expect.any(String) });
    });

    it('rejects bad paging values with 400 status 2', async () => {
      const res = await app.call('GET', '/internal/players/messages?page=0&page_size=1000', { brand: alpha, identity: me });
      expect([res.http, res.status]).toEqual([400, 2]);
      expect(Object.keys(res.data.fields).sort()).toEqual(['page', 'page_size']);
    });

    it('reads a message, marking it read, and the unread count follows', async () => {
      expect((await app.call('GET', '/internal/players/messages/unread/count', { brand: alpha, identity: me })).data).toEqual({ count: 5 });
      const res = await app.call('GET', `/internal/players/messages/${ids[1]}`, { brand: alpha, identity: me });
      expect(res.data).toMatchObject({ id: ids[1], title: 'm2', is_read: true, read_at: expect.any(String) });
      const marked = await app.call('POST', `/internal/players/messages/${ids[2]}`, { brand: alpha, identity: me });
      expect(marked.data).toMatchObject({ id: ids[2], is_read: true });
      expect((await app.call('GET', '/internal/players/messages/unread/count', { brand: alpha, identity: me })).data).toEqual({ count: 3 });
      const { rows } = await h.pg.query('SELECT is_read, read_at IS NOT NULL AS stamped FROM player_message WHERE id = $1', [ids[1]]);
      expect(rows[0]).toEqual({ is_read: true, stamped: true });
    });

    it('does not serve another player’s message (404 status 5)', async () => {
      const theirs = await addMessage(alpha, other.playerId, 'private');
      const res = await app.call('GET', `/internal/players/messages/${theirs}`, { brand: alpha, identity: me });
      expect([res.http, res.status]).toEqual([404, 5]);
    });

    it('does not serve a message stored under another brand, even for the same player id', async () => {
      // The database refuses a beta message that points at an alpha player (the foreign key carries the brand) ...
      await expect(addMessage(beta, me.playerId, 'wrong brand row')).rejects.toMatchObject({ code: '23503' });
      // ... so the foreign row is a beta player's message, asked for by id from alpha.
      const {
        rows: [betaPlayer],
      } = await h.pg.query<{ id: string }>(
        `INSERT INTO player (brand_id, account, password_hash) VALUES ($1, 'beta_msg_owner', 'h') RETURNING id`,
        [beta],
      );
      const foreign = await addMessage(beta, Number(betaPlayer.id), 'wrong brand row');
      const res = await app.call('GET', `/internal/players/messages/${foreign}`, { brand: alpha, identity: me });
      expect([res.http, res.status]).toEqual([404, 5]);
      const list = await app.call('GET', '/internal/players/messages?page_size=100', { brand: alpha, identity: me });
      expect(list.data.items.map((m: { id: number }) => m.id)).not.toContain(foreign);
    });

    it('rejects a non-numeric message id with 400 status 2', async () => {
      const res = await app.call('GET', '/internal/players/messages/abc', { brand: alpha, identity: me });
      expect([res.http, res.status]).toEqual([400, 2]);
    });
  });

  describe('notices and banners', () => {
    beforeAll(async () => {
      await h.pg.query(
        `INSERT INTO player_notice (brand_id, kind, title, content, is_show, sort) VALUES
          ($1, 'notice', 'alpha second', 'a2', true, 2), ($1, 'notice', 'alpha first', 'a1', true, 1),
          ($1, 'popup', 'alpha popup', 'p', true, 0), ($1, 'notice', 'alpha hidden', 'h', false, 0),
          ($2, 'notice', 'beta only', 'b', true, 0)`,
        [alpha, beta],
      );
      await h.pg.query(
        `INSERT INTO banner (brand_id, title, image_url, link_url, position, is_show, sort) VALUES
          ($1, 'alpha home', 'https://cdn/a.png', null, 'home', true, 0), ($1, 'alpha hidden', 'https://cdn/h.png', null, 'home', false, 0),
          ($1, 'alpha side', 'https://cdn/s.png', '/promo', 'side', true, 1), ($2, 'beta home', 'https://cdn/b.png', null, 'home', true, 0)`,
        [alpha, beta],
      );
    });

    it('serves only the request brand’s visible notices, ordered by sort, filterable by kind', async () => {
      const all = await app.call('GET', '/internal/common/notices', { brand: alpha });
      expect(all.data.map((n: { title: string }) => n.title)).toEqual(['alpha popup', 'alpha first', 'alpha second']);
      const notices = await app.call('GET', '/internal/common/notices?kind=notice', { brand: alpha });
      expect(notices.data.map((n: { title: string }) => n.title)).toEqual(['alpha first', 'alpha second']);
      const other = await app.call('GET', '/internal/common/notices', { brand: beta });
      expect(other.data.map((n: { title: string }) => n.title)).toEqual(['beta only']);
    });

    it('serves only the request brand’s visible banners, filterable by position', async () => {
      const all = await app.call('GET', '/internal/common/banners', { brand: alpha });
      expect(all.data.map((b: { title: string }) => b.title)).toEqual(['alpha home', 'alpha side']);
      const side = await app.call('GET', '/internal/common/banners?position=side', { brand: alpha });
      expect(side.data).toEqual([{ id: expect.any(Number), title: 'alpha side', image_url: 'https://cdn/s.png', link_url: '/promo', position: 'side', sort: 1 }]);
    });
  });

  describe('captcha', () => {
    it.each(['/internal/common/captcha', '/internal/players/captcha'])('%s returns an SVG challenge whose answer is kept hashed with a TTL', async (path) => {
      const res = await app.call('GET', path, { brand: alpha });
      expect([res.http, res.status]).toEqual([200, 0]);
      expect(res.data).toEqual({ captcha_id: expect.stringMatching(/^[0-9a-f-]{36}$/), image: expect.stringMatching(/^<svg [\s\S]*<\/svg>$/), expires_in: 300 });
      const stored = await h.redis.get(`captcha:${alpha}:${res.data.captcha_id}`);
      expect(stored).toMatch(/^[0-9a-f]{64}$/);
      expect(await h.redis.ttl(`captcha:${alpha}:${res.data.captcha_id}`)).toBeGreaterThan(290);
    });
  });

  describe('site_setting', () => {
    it('answers the documented global defaults for a brand without brand_config', async () => {
      const res = await app.call('GET', '/internal/common/site_setting', { brand: alpha });
      expect(res.data).toEqual({
        brand_id: alpha,
        brand: { brand_code: 'alpha', name: 'alpha', default_currency: 'KRW' },
        frontend_config: {},
        registration_policy: { enabled: true, require_phone: false, require_sms_verification: false, require_captcha: false },
        feature_policy: { registration: true, recovery: true },
        sms_policy: { enabled: true, code_ttl_seconds: 300 },
      });
    });

    it('answers the brand’s own public config, hiding non-public registration fields', async () => {
      await h.pg.query(
        `INSERT INTO brand_config (brand_id, key, value) VALUES
          ($1, 'frontend_config', '{"theme": "dark", "cs_link": "https://cs.beta"}'),
          ($1, 'registration_policy', '{"require_phone": true, "default_agent_id": 7, "require_captcha": "yes"}'),
          ($1, 'feature_policy', '{"recovery": false, "live_chat": true}'),
          ($1, 'sms_policy', '{"enabled": false}')`,
        [beta],
      );
      const res = await app.call('GET', '/internal/common/site_setting', { brand: beta });
      expect(res.data).toMatchObject({
        brand_id: beta,
        frontend_config: { theme: 'dark', cs_link: 'https://cs.beta' },
        // require_captcha kept its default: a wrongly typed brand value is ignored.
        registration_policy: { enabled: true, require_phone: true, require_sms_verification: false, require_captcha: false },
        feature_policy: { registration: true, recovery: false, live_chat: true },
        sms_policy: { enabled: false, code_ttl_seconds: 300 },
      });
      expect(res.data.registration_policy).not.toHaveProperty('default_agent_id');
    });
  });
});
