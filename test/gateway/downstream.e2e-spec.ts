/**
 * issue 3 points 7 and 8: downstream calls carry the gateway's per-caller
 * token, X-Caller-Service, request id and brand; wallet writes are signed
 * (verified by the double); failures and timeouts answer status 7 within the
 * timeout; game launch is JWT-only, overwrites player_id, prechecks the
 * brand's provider allow list and calls game /integration/launch.
 */
import { createServer } from 'node:net';
import type Redis from 'ioredis';
import type { JwtIssuer } from '@app/auth';
import type { BootedApp } from '../support/app';
import {
  bootGateway,
  closeDoubles,
  type Doubles,
  GATEWAY_TOKEN,
  issuerFor,
  LEGACY_TOKEN,
  loginPlayer,
  makeKeyPair,
  resetDoubles,
  seedAgentDomain,
  seedClient,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('gateway downstream calls', () => {
  const keys = makeKeyPair();
  let issuer: JwtIssuer;
  let doubles: Doubles;
  let redis: Redis;
  let gateway: BootedApp;
  let host: string;
  let brandId: number;

  beforeAll(async () => {
    issuer = issuerFor(keys);
    redis = seedClient();
    doubles = await startDoubles({
      wallet: (call) => ({ status: 200, body: { status: 0, msg: 'ok', data: { path: call.path } } }),
      game: (call) => {
        if (call.path === '/api/v1/game/slow')
          return { status: 200, body: { status: 0, msg: 'ok', data: null }, delayMs: 1500 };
        if (call.path === '/integration/launch')
          return {
            status: 200,
            body: { status: 0, msg: 'ok', data: { url: 'https://provider.example/launch?t=1' } },
          };
        return { status: 200, body: { status: 0, msg: 'ok', data: null } };
      },
    });
    gateway = await bootGateway(doubles, keys, { env: { DOWNSTREAM_TIMEOUT_MS: '300' } });
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

  describe('internal headers', () => {
    it('presents INTERNAL_SERVICE_TOKEN_GATEWAY as caller gateway, with request id and brand', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      await send(gateway.url, '/api/v1/rolling/status', {
        host,
        token: player.token,
        headers: { 'x-request-id': 'rid-rolling-1' },
      });
      const call = doubles.rolling.lastCall();
      expect(call?.tokenValid).toBe(true);
      expect(call?.caller).toBe('gateway');
      expect(call?.headers['x-internal-service-token']).toBe(GATEWAY_TOKEN);
      expect(call?.headers['x-request-id']).toBe('rid-rolling-1');
      expect(call?.brandId).toBe(brandId);
    });

    it('never relays client-supplied internal headers', async () => {
      await send(gateway.url, '/api/v1/common/config', {
        host,
        headers: {
          'x-internal-service-token': 'client-forged',
          'x-caller-service': 'admin',
          'x-brand-signature': 'f'.repeat(64),
        },
      });
      const call = doubles.player.lastCall();
      expect(call?.headers['x-internal-service-token']).toBe(GATEWAY_TOKEN);
      expect(call?.caller).toBe('gateway');
      expect(call?.headers['x-brand-signature']).toBeUndefined();
    });

    it('signs brand-scoped wallet writes with BRAND_SIGNING_KEY (verified by the wallet double)', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      for (const [method, path] of [
        ['POST', '/api/v1/finance/withdraw'],
        ['PUT', '/api/v1/finance/bank'],
        ['DELETE', '/api/v1/finance/bank/1'],
        ['POST', '/finance/deposit'],
      ]) {
        const res = await send(gateway.url, path, { method, host, token: player.token, body: { amount: 5 } });
        expect(res.json.status).toBe(0);
        const call = doubles.wallet.lastCall();
        expect(call?.signatureValid).toBe(true);
        expect(call?.headers['x-brand-id']).toBe(String(brandId));
        expect(call?.headers['x-brand-timestamp']).toMatch(/^\d+$/);
      }
    });

    it('does not sign wallet reads', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      await send(gateway.url, '/api/v1/finance/balance', { host, token: player.token });
      const call = doubles.wallet.lastCall();
      expect(call?.headers['x-brand-signature']).toBeUndefined();
      expect(call?.signatureValid).toBeNull();
    });
  });

  describe('with other credentials', () => {
    it('is refused by the wallet when the signing key is wrong (the double really verifies)', async () => {
      const wrong = await bootGateway(doubles, keys, { env: { BRAND_SIGNING_KEY: 'not-the-shared-key' } });
      try {
        const player = await loginPlayer(redis, issuer, brandId);
        const res = await send(wrong.url, '/api/v1/finance/withdraw', {
          method: 'POST',
          host,
          token: player.token,
          body: { amount: 1 },
        });
        expect(res.status).toBe(401);
        expect(res.json.status).toBe(53);
        expect(doubles.wallet.lastCall()?.signatureValid).toBe(false);
      } finally {
        await wrong.close();
      }
    });

    it("is refused downstream with another caller's token (per-caller tokens)", async () => {
      const wrong = await bootGateway(doubles, keys, {
        env: { INTERNAL_SERVICE_TOKEN_GATEWAY: 'token-of-someone-else' },
      });
      try {
        const res = await send(wrong.url, '/api/v1/common/config', { host });
        expect(res.json.status).toBe(60);
        expect(doubles.player.lastCall()?.tokenValid).toBe(false);
      } finally {
        await wrong.close();
      }
    });

    it('falls back to the legacy shared token only when no per-caller token is configured', async () => {
      const legacyDoubles = await startDoubles({}, LEGACY_TOKEN);
      const legacy = await bootGateway(legacyDoubles, keys, {
        env: { INTERNAL_SERVICE_TOKEN_GATEWAY: undefined, INTERNAL_SERVICE_TOKEN: LEGACY_TOKEN },
      });
      try {
        const res = await send(legacy.url, '/api/v1/common/config', { host });
        expect(res.json.status).toBe(0);
        expect(legacyDoubles.player.lastCall()?.headers['x-internal-service-token']).toBe(LEGACY_TOKEN);
      } finally {
        await legacy.close();
        await closeDoubles(legacyDoubles);
      }
    });
  });

  describe('failures', () => {
    it('answers 502 status 7 at once when the downstream is down', async () => {
      const down = await bootGateway(doubles, keys, {
        env: { PLAYER_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` },
      });
      try {
        const started = Date.now();
        const res = await send(down.url, '/api/v1/common/config', { host });
        expect(res.status).toBe(502);
        expect(res.json).toEqual({ status: 7, msg: expect.any(String), data: null });
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        await down.close();
      }
    });

    it('answers 502 status 7 within DOWNSTREAM_TIMEOUT_MS when the downstream hangs', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      const started = Date.now();
      const res = await send(gateway.url, '/api/v1/game/slow', { host, token: player.token });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(502);
      expect(res.json.status).toBe(7);
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(1200);
    });
  });

  describe('game launch', () => {
    it('requires the player JWT', async () => {
      const res = await send(gateway.url, '/api/v1/game/launch', {
        method: 'POST',
        host,
        body: { provider_id: 'evo', game_id: 'g1', player_id: 1 },
      });
      expect(res.json.status).toBe(3);
      expect(doubles.game.calls).toHaveLength(0);
    });

    it('overwrites a client player_id with the JWT player and calls /integration/launch with internal headers', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      const res = await send(gateway.url, '/api/v1/game/launch', {
        method: 'POST',
        host,
        token: player.token,
        body: { provider_id: 'evo', game_id: 'g1', player_id: 424242 },
      });
      expect(res.json).toEqual({
        status: 0,
        msg: 'ok',
        data: { url: 'https://provider.example/launch?t=1' },
      });
      const call = doubles.game.lastCall();
      expect(call?.method).toBe('POST');
      expect(call?.path).toBe('/integration/launch');
      expect(call?.body).toEqual({ provider_id: 'evo', game_id: 'g1', player_id: player.playerId });
      expect(call?.brandId).toBe(brandId);
      expect(call?.tokenValid).toBe(true);
      expect(call?.caller).toBe('gateway');
    });

    it('treats an escaped launch path as launch and drops a player_id from the query', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      const res = await send(gateway.url, '/api/v1/game/launc%68?player_id=999&lang=en', {
        method: 'POST',
        host,
        token: player.token,
        body: { provider_id: 'evo', game_id: 'g1', player_id: 999 },
      });
      expect(res.json.status).toBe(0);
      const call = doubles.game.lastCall();
      expect(call?.path).toBe('/integration/launch');
      expect(call?.body).toEqual({ provider_id: 'evo', game_id: 'g1', player_id: player.playerId });
      expect(call?.query).toEqual({ lang: 'en' });

      // The allow-list precheck applies to it too.
      await redis.set(`brand:provider_allowlist:${brandId}`, JSON.stringify(['pragmatic']), 'EX', 600);
      try {
        const refused = await send(gateway.url, '/api/v1/game/launc%68', {
          method: 'POST',
          host,
          token: player.token,
          body: { provider_id: 'evo', game_id: 'g1' },
        });
        expect([refused.status, refused.json.status]).toEqual([403, 4]);
      } finally {
        await redis.del(`brand:provider_allowlist:${brandId}`);
      }
    });

    it('does the same on the legacy alias, with domain injected', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      await send(gateway.url, '/game/launch', {
        method: 'POST',
        host,
        token: player.token,
        body: { provider_id: 'evo', game_id: 'g2', player_id: 1 },
      });
      const call = doubles.game.lastCall();
      expect(call?.path).toBe('/integration/launch');
      expect(call?.body).toEqual({
        provider_id: 'evo',
        game_id: 'g2',
        player_id: player.playerId,
        domain: host,
      });
    });

    it('refuses a provider missing from brand:provider_allowlist with 403 status 4, nothing forwarded', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      await redis.set(`brand:provider_allowlist:${brandId}`, JSON.stringify(['pragmatic', 7]), 'EX', 600);
      try {
        const res = await send(gateway.url, '/api/v1/game/launch', {
          method: 'POST',
          host,
          token: player.token,
          body: { provider_id: 'evo', game_id: 'g1' },
        });
        expect(res.status).toBe(403);
        expect(res.json.status).toBe(4);
        expect(doubles.game.calls).toHaveLength(0);

        const allowed = await send(gateway.url, '/api/v1/game/launch', {
          method: 'POST',
          host,
          token: player.token,
          body: { provider_id: 7, game_id: 'g1' },
        });
        expect(allowed.json.status).toBe(0);
        expect(doubles.game.lastCall()?.path).toBe('/integration/launch');
      } finally {
        await redis.del(`brand:provider_allowlist:${brandId}`);
      }
    });

    it('skips the precheck when the brand has no allow-list key (game_service decides)', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      await redis.del(`brand:provider_allowlist:${brandId}`);
      const res = await send(gateway.url, '/api/v1/game/launch', {
        method: 'POST',
        host,
        token: player.token,
        body: { provider_id: 'anything', game_id: 'g1' },
      });
      expect(res.json.status).toBe(0);
      expect(doubles.game.calls).toHaveLength(1);
    });

    it('checks the allow list of the request brand, not another brand', async () => {
      const otherBrand = uniqueBrandId();
      await redis.set(`brand:provider_allowlist:${otherBrand}`, JSON.stringify(['evo']), 'EX', 600);
      await redis.set(`brand:provider_allowlist:${brandId}`, JSON.stringify(['pragmatic']), 'EX', 600);
      try {
        const player = await loginPlayer(redis, issuer, brandId);
        const res = await send(gateway.url, '/api/v1/game/launch', {
          method: 'POST',
          host,
          token: player.token,
          body: { provider_id: 'evo', game_id: 'g1' },
        });
        expect(res.json.status).toBe(4);
      } finally {
        await redis.del(`brand:provider_allowlist:${brandId}`, `brand:provider_allowlist:${otherBrand}`);
      }
    });
  });
});
