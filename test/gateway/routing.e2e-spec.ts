/**
 * issue 3 point 1 (route families, legacy aliases, provider pass-through,
 * public vs JWT routes) and the relay rules of point 7 (envelope HTTP codes,
 * non-envelope bodies, hop-by-hop headers, X-Request-ID, identity headers).
 */
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { JwtIssuer } from '@app/auth';
import type { BootedApp } from '../support/app';
import type { DoubleReply } from '../support/downstream-double';
import {
  bootGateway,
  closeDoubles,
  type Doubles,
  issuerFor,
  loginPlayer,
  makeKeyPair,
  metricValue,
  resetDoubles,
  seedAgentDomain,
  seedClient,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

/** Bodies that reach the gateway in many chunks (multi-byte characters included). */
const LARGE_BINARY = randomBytes(2 * 1024 * 1024);
const LARGE_TEXT = 'bränd-€-😀-'.repeat(50_000);

describe('gateway routing', () => {
  const keys = makeKeyPair();
  let issuer: JwtIssuer;
  let doubles: Doubles;
  let gateway: BootedApp;
  let redis: Redis;
  let host: string;
  let brandId: number;

  beforeAll(async () => {
    issuer = issuerFor(keys);
    redis = seedClient();
    doubles = await startDoubles({
      player: (call): DoubleReply => {
        if (call.path === '/internal/players/login')
          return { status: 422, body: { status: 1, msg: 'wrong password', data: null } };
        if (call.path === '/internal/players/forbidden')
          return { status: 403, body: { status: 4, msg: 'forbidden', data: null } };
        if (call.path === '/internal/common/missing')
          return { status: 404, body: { status: 5, msg: 'not found', data: null } };
        if (call.path === '/internal/common/auth')
          return { status: 401, body: { status: 3, msg: 'auth', data: null } };
        if (call.path === '/internal/common/crash')
          return { status: 500, body: { status: 1, msg: 'internal error', data: null } };
        if (call.path === '/internal/common/traceback')
          return {
            status: 500,
            body: 'Traceback (most recent call last):\n  File "app.py", line 1\npassword=hunter2',
            headers: { 'content-type': 'text/plain' },
          };
        if (call.path === '/internal/common/overloaded')
          return { status: 503, body: { status: 7, msg: 'rolling busy', data: { stack: 'at x (y.js:1)' } } };
        if (call.path === '/internal/common/plain')
          return {
            status: 201,
            body: 'plain text body',
            headers: { 'content-type': 'text/plain', 'x-custom': 'kept', 'keep-alive': 'timeout=5' },
          };
        if (call.path === '/internal/common/raw-json') return { status: 202, body: { not: 'an envelope' } };
        if (call.path === '/internal/common/large-binary')
          return { status: 200, body: LARGE_BINARY, headers: { 'content-type': 'application/octet-stream' } };
        if (call.path === '/internal/common/large-envelope')
          return { status: 403, body: { status: 4, msg: 'forbidden', data: { text: LARGE_TEXT } } };
        return { status: 200, body: { status: 0, msg: 'ok', data: { path: call.path } } };
      },
    });
    gateway = await bootGateway(doubles, keys);
    host = uniqueHost();
    brandId = uniqueBrandId();
    await seedAgentDomain(redis, host, brandId);
  });

  afterAll(async () => {
    await gateway?.close();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  beforeEach(() => resetDoubles(doubles));

  it.each([
    ['/api/v1/user/info', 'player', '/internal/players/info'],
    ['/api/v1/user/messages/list', 'player', '/internal/players/messages/list'],
    ['/api/v1/finance/deposit/list', 'wallet', '/api/v1/finance/deposit/list'],
    ['/api/v1/game/list', 'game', '/api/v1/game/list'],
    ['/api/v1/rolling/status', 'rolling', '/api/v1/rolling/status'],
    ['/api/v1/promotion/coupons', 'promotion', '/api/v1/promotion/coupons'],
  ] as const)(
    'forwards the authenticated family route %s to %s at %s',
    async (path, target, downstreamPath) => {
      const player = await loginPlayer(redis, issuer, brandId);
      const res = await send(gateway.url, `${path}?page=2&size=10`, { host, token: player.token });
      expect(res.status).toBe(200);
      expect(res.json.status).toBe(0);
      const call = doubles[target].lastCall();
      expect(call?.path).toBe(downstreamPath);
      expect(call?.query).toEqual({ page: '2', size: '10' });
      expect(call?.brandId).toBe(brandId);
      expect(call?.headers['x-player-id']).toBe(String(player.playerId));
      expect(call?.headers['x-player-account']).toBe(player.account);
      expect(call?.headers['x-session-jti']).toBe(player.jti);
      const others = (['player', 'wallet', 'game', 'rolling', 'promotion'] as const).filter(
        (n) => n !== target,
      );
      for (const other of others) expect(doubles[other].calls).toHaveLength(0);
    },
  );

  it.each([
    ['/api/v1/user/info'],
    ['/api/v1/user/logout'],
    ['/api/v1/user/messages'],
    ['/api/v1/user/profile/update'],
    ['/api/v1/finance/withdraw'],
    ['/api/v1/game/history'],
    ['/api/v1/rolling/status'],
    ['/api/v1/promotion/claim'],
    ['/user/info'],
    ['/finance/withdraw'],
  ])('requires the player JWT on %s (status 3, nothing forwarded)', async (path) => {
    const res = await send(gateway.url, path, { method: 'POST', host, body: {} });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe(3);
    for (const d of Object.values(doubles)) expect(d.calls).toHaveLength(0);
  });

  it.each([
    ['/api/v1/user/register', '/internal/players/register'],
    ['/api/v1/user/register/sendSMS', '/internal/players/register/sendSMS'],
    ['/api/v1/user/login', '/internal/players/login'],
    ['/api/v1/user/recovery/request', '/internal/players/recovery/request'],
    ['/api/v1/user/recovery/verify', '/internal/players/recovery/verify'],
    ['/api/v1/user/recovery/reset', '/internal/players/recovery/reset'],
    ['/api/v1/user/captcha', '/internal/players/captcha'],
    ['/api/v1/common/config', '/internal/common/config'],
    ['/api/v1/common/notices/list', '/internal/common/notices/list'],
  ])(
    'forwards the public route %s without a JWT and without identity headers',
    async (path, downstreamPath) => {
      const res = await send(gateway.url, path, {
        method: 'POST',
        host,
        body: { account: 'someone' },
        headers: { 'x-player-id': '999', 'x-player-account': 'forged', 'x-session-jti': 'forged' },
      });
      expect(res.json.status).not.toBe(3);
      const call = doubles.player.lastCall();
      expect(call?.path).toBe(downstreamPath);
      expect(call?.brandId).toBe(brandId);
      expect(call?.headers['x-player-id']).toBeUndefined();
      expect(call?.headers['x-player-account']).toBeUndefined();
      expect(call?.headers['x-session-jti']).toBeUndefined();
      expect(call?.body).toEqual({ account: 'someone' });
    },
  );

  it('replaces client-sent identity headers with the verified identity on authenticated routes', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    await send(gateway.url, '/api/v1/user/info', {
      host,
      token: player.token,
      headers: { 'x-player-id': '1', 'x-player-account': 'admin', 'x-session-jti': 'x' },
    });
    const call = doubles.player.lastCall();
    expect(call?.headers['x-player-id']).toBe(String(player.playerId));
    expect(call?.headers['x-player-account']).toBe(player.account);
    expect(call?.headers['x-session-jti']).toBe(player.jti);
  });

  it("does not send the client's bearer token to the player service, which identifies the player by those headers", async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    await send(gateway.url, '/api/v1/user/info', { host, token: player.token });
    const call = doubles.player.lastCall();
    expect(call?.headers['x-player-id']).toBe(String(player.playerId));
    expect(call?.headers.authorization).toBeUndefined();
  });

  it('keeps relaying the bearer token to the downstream services the project does not own', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    await send(gateway.url, '/api/v1/finance/deposit/list', { host, token: player.token });
    expect(doubles.wallet.lastCall()?.headers.authorization).toBe(`Bearer ${player.token}`);
    await send(gateway.url, '/api/v1/game/list', { host, token: player.token });
    expect(doubles.game.lastCall()?.headers.authorization).toBe(`Bearer ${player.token}`);
  });

  it.each([
    ['/user/register', 'player', '/internal/players/register'],
    ['/common/config', 'player', '/internal/common/config'],
  ] as const)(
    'legacy alias %s behaves like the canonical route and injects the resolved domain',
    async (path, target, downstreamPath) => {
      const res = await send(gateway.url, path, {
        method: 'POST',
        host: `${host}:8443`,
        body: { account: 'a1', domain: 'spoofed.example' },
      });
      expect(res.json.status).toBe(0);
      const call = doubles[target].lastCall();
      expect(call?.path).toBe(downstreamPath);
      expect(call?.brandId).toBe(brandId);
      expect(call?.body).toEqual({ account: 'a1', domain: host });
    },
  );

  it.each([
    ['/finance/deposit', 'wallet', '/api/v1/finance/deposit'],
    ['/game/favorites', 'game', '/api/v1/game/favorites'],
    ['/rolling/claim', 'rolling', '/api/v1/rolling/claim'],
    ['/promotion/claim', 'promotion', '/api/v1/promotion/claim'],
    ['/user/profile', 'player', '/internal/players/profile'],
  ] as const)(
    'authenticated legacy alias %s is forwarded to %s at %s with domain injected',
    async (path, target, downstreamPath) => {
      const player = await loginPlayer(redis, issuer, brandId);
      const res = await send(gateway.url, path, {
        method: 'POST',
        host,
        token: player.token,
        body: { amount: 10 },
      });
      expect(res.json.status).toBe(0);
      const call = doubles[target].lastCall();
      expect(call?.path).toBe(downstreamPath);
      expect(call?.body).toEqual({ amount: 10, domain: host });
      expect(call?.headers['x-player-id']).toBe(String(player.playerId));
    },
  );

  it('does not inject domain on canonical routes', async () => {
    await send(gateway.url, '/api/v1/user/register', { method: 'POST', host, body: { account: 'a2' } });
    expect(doubles.player.lastCall()?.body).toEqual({ account: 'a2' });
  });

  it.each([
    ['/api/v1/provider/acme/callback/bet', '/api/v1/provider/acme/callback/bet'],
    ['/provider/acme/callback/settle', '/api/v1/provider/acme/callback/settle'],
  ])(
    'passes the provider callback %s to game without brand resolution or JWT',
    async (path, downstreamPath) => {
      const res = await send(gateway.url, path, {
        method: 'POST',
        host: 'unmapped-provider.example.test',
        headers: { 'content-type': 'application/xml', 'x-brand-id': '5' },
        body: '<bet id="1"/>',
      });
      expect(res.status).toBe(200);
      expect(res.json.status).toBe(0);
      const call = doubles.game.lastCall();
      expect(call?.path).toBe(downstreamPath);
      expect(call?.brandId).toBeNull();
      expect(call?.headers['x-brand-id']).toBeUndefined();
      expect(call?.body).toBe('<bet id="1"/>');
      expect(call?.headers['content-type']).toBe('application/xml');
      expect(call?.tokenValid).toBe(true);
    },
  );

  it.each([['/api/v1/provider/acme/callback/bet'], ['/provider/acme/callback/bet']])(
    'relays a provider JSON callback on %s byte for byte (a provider may sign its exact body), no domain added',
    async (path) => {
      const raw = '{ "b" : 1,  "a": 2.50, "sig":"x" }';
      await send(gateway.url, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: raw,
      });
      const call = doubles.game.lastCall();
      expect(call?.headers['content-length']).toBe(String(Buffer.byteLength(raw)));
      expect(call?.body).toEqual({ b: 1, a: 2.5, sig: 'x' });
    },
  );

  it('relays a canonical route body unchanged, even one the downstream will refuse', async () => {
    const raw = '{"account": "a",   "note": 1.0';
    await send(gateway.url, '/api/v1/user/login', {
      method: 'POST',
      host,
      headers: { 'content-type': 'application/json' },
      body: raw,
    });
    const call = doubles.player.lastCall();
    expect(call?.headers['content-length']).toBe(String(Buffer.byteLength(raw)));
    expect(call?.body).toBe(raw);
  });

  it('refuses malformed JSON on a legacy alias it must edit (status 2), forwarding nothing', async () => {
    const res = await send(gateway.url, '/user/login', {
      method: 'POST',
      host,
      headers: { 'content-type': 'application/json' },
      body: '{"account":',
    });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe(2);
    expect(doubles.player.calls).toHaveLength(0);
  });

  it('injects domain into a legacy form body, keeping the form encoding', async () => {
    await send(gateway.url, '/user/login', {
      method: 'POST',
      host,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'account=a1&password=p%26w&domain=spoofed',
    });
    const call = doubles.player.lastCall();
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(call?.body as string).get('domain')).toBe(host);
    expect(new URLSearchParams(call?.body as string).get('password')).toBe('p&w');
  });

  it.each([
    ['/api/v1/unknown/x'],
    ['/api/v1/user'],
    ['/api/v1/user/'],
    ['/nothing'],
    ['/api/v1/user/..%2f..%2finternal/admin'],
    ['/api/v1/user/a//b'],
  ])('answers 404 status 5 for the unrouted path %s without forwarding', async (path) => {
    const res = await send(gateway.url, path, { host });
    expect(res.status).toBe(404);
    expect(res.json.status).toBe(5);
    for (const d of Object.values(doubles)) expect(d.calls).toHaveLength(0);
  });

  it('answers 404 for GET on the POST-only launch route', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    const res = await send(gateway.url, '/api/v1/game/launch', { host, token: player.token });
    expect(res.status).toBe(404);
    expect(doubles.game.calls).toHaveLength(0);
  });

  it.each([
    ['/api/v1/user/login', 200, 1],
    ['/api/v1/user/forbidden', 403, 4],
    ['/api/v1/common/missing', 404, 5],
    ['/api/v1/common/auth', 200, 3],
  ])(
    're-maps the internal HTTP code of the envelope from %s to the frontend code',
    async (path, code, status) => {
      const player = await loginPlayer(redis, issuer, brandId);
      const res = await send(gateway.url, path, { method: 'POST', host, token: player.token, body: {} });
      expect(res.status).toBe(code);
      expect(res.json).toEqual({ status, msg: expect.any(String), data: null });
    },
  );

  it.each(['crash', 'traceback', 'overloaded'])(
    'answers a downstream server error (%s) with 502 status 7 of its own, not the downstream body',
    async (path) => {
      const res = await send(gateway.url, `/api/v1/common/${path}`, { host });
      expect(res.status).toBe(502);
      expect(res.json).toEqual({ status: 7, msg: 'player service unavailable', data: null });
      expect(res.text).not.toMatch(/Traceback|hunter2|stack|busy|internal error/);
      expect(doubles.player.lastCall()?.path).toBe(`/internal/common/${path}`);
    },
  );

  it('passes non-envelope bodies through unchanged and drops hop-by-hop headers', async () => {
    const plain = await send(gateway.url, '/api/v1/common/plain', { host });
    expect(plain.status).toBe(201);
    expect(plain.text).toBe('plain text body');
    expect(plain.headers['x-custom']).toBe('kept');
    expect(plain.headers['keep-alive']).toBeUndefined();
    const raw = await send(gateway.url, '/api/v1/common/raw-json', { host });
    expect(raw.status).toBe(202);
    expect(JSON.parse(raw.text)).toEqual({ not: 'an envelope' });
  });

  it('streams a large non-JSON body through byte for byte', async () => {
    const res = await send(gateway.url, '/api/v1/common/large-binary', { host });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.raw.equals(LARGE_BINARY)).toBe(true);
  });

  it('relays a large envelope whole, with the HTTP code of its status', async () => {
    const res = await send(gateway.url, '/api/v1/common/large-envelope', { host });
    expect(res.status).toBe(403);
    expect(res.json.status).toBe(4);
    expect((res.json.data as { text: string }).text).toBe(LARGE_TEXT);
  });

  it('binds the client X-Request-ID, forwards it and echoes it', async () => {
    const res = await send(gateway.url, '/api/v1/common/config', {
      host,
      headers: { 'x-request-id': 'req-abc.123' },
    });
    expect(res.headers['x-request-id']).toBe('req-abc.123');
    expect(doubles.player.lastCall()?.headers['x-request-id']).toBe('req-abc.123');
  });

  it('generates an X-Request-ID when the client sends an invalid one', async () => {
    const res = await send(gateway.url, '/api/v1/common/config', {
      host,
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    const id = res.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(doubles.player.lastCall()?.headers['x-request-id']).toBe(id);
  });

  it('strips hop-by-hop request headers and relays end-to-end ones', async () => {
    await send(gateway.url, '/api/v1/common/config', {
      host,
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'drop me',
        'x-e2e': 'keep me',
        'accept-language': 'ko',
      },
    });
    const call = doubles.player.lastCall();
    expect(call?.headers['x-hop']).toBeUndefined();
    expect(call?.headers['x-e2e']).toBe('keep me');
    expect(call?.headers['accept-language']).toBe('ko');
  });

  it('labels http_requests_total with the route family template and brand, never the raw path or the catch-all', async () => {
    const requests = (labels: Record<string, string>) =>
      metricValue(gateway.url, 'http_requests_total', { service: 'gateway', ...labels });
    const canonical = { route: '/api/v1/common/*', brand: String(brandId), status: '200' };
    const legacy = { route: '/common/*', brand: String(brandId), status: '200' };
    const unmatched = { route: 'unmatched', status: '404' };
    const before = [await requests(canonical), await requests(legacy), await requests(unmatched)];
    const catchAll = await requests({ route: '/*' });

    expect((await send(gateway.url, '/api/v1/common/notice/17', { host })).status).toBe(200);
    expect((await send(gateway.url, '/common/notice/18', { host })).status).toBe(200);
    expect((await send(gateway.url, '/api/v1/nothing/here', { host })).status).toBe(404);

    expect([await requests(canonical), await requests(legacy), await requests(unmatched)]).toEqual(
      before.map((n) => n + 1),
    );
    expect(await requests({ route: '/*' })).toBe(catchAll);
    const { text } = await send(gateway.url, '/metrics');
    expect(text).not.toMatch(/route="[^"]*notice/);
    expect(
      await metricValue(gateway.url, 'http_request_duration_seconds_count', {
        service: 'gateway',
        route: '/common/*',
      }),
    ).toBeGreaterThan(0);
  });

  it('serves /health without brand resolution, with the mode and JWT_KID', async () => {
    const res = await send(gateway.url, '/health', { host: 'unmapped.example.test' });
    expect(res.status).toBe(200);
    expect(res.json.data).toMatchObject({
      service: 'gateway',
      multi_brand_enforcement: 'observe',
      jwt_kid: keys.kid,
      checks: { redis: 'ok' },
    });
  });
});
