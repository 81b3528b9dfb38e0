/**
 * issue 3 point 4 / CONTRACTS §5 / ADR-009 "JWT signing": RS256 only, kid
 * allow list with gateway_jwt_unknown_kid_total, exp required, typ must be
 * "player"; every forged class is status 3 (HTTP 200) in every mode and
 * nothing is forwarded. Hot reload on `jwt_public_keys_changed` rebuilds the
 * verifier from a re-read key source without a restart; /health reports JWT_KID.
 */
import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { SignJWT } from 'jose';
import type { JwtIssuer } from '@app/auth';
import { parsePublicKeys, type EnforcementMode } from '@app/config';
import type { BootedApp } from '../support/app';
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
  seedSession,
  send,
  sleep,
  startDoubles,
  unique,
  uniqueBrandId,
  uniqueHost,
  uniquePlayerId,
} from './harness';

const MODES: EnforcementMode[] = ['off', 'observe', 'enforce'];
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Identity {
  account: string;
  playerId: number;
  brandId: number;
  jti: string;
}

function claimsOf(id: Identity, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: String(id.playerId),
    typ: 'player',
    account: id.account,
    brand_id: id.brandId,
    jti: id.jti,
    iat: now,
    exp: now + 600,
    ...extra,
  };
}

describe('gateway JWT verification', () => {
  const keys = makeKeyPair();
  const foreign = makeKeyPair(keys.kid); // same kid, different key
  const unlisted = makeKeyPair();
  let issuer: JwtIssuer;
  let doubles: Doubles;
  let redis: Redis;
  let host: string;
  let brandId: number;
  const gateways = {} as Record<EnforcementMode, BootedApp>;

  beforeAll(async () => {
    issuer = issuerFor(keys);
    redis = seedClient();
    doubles = await startDoubles();
    for (const mode of MODES) gateways[mode] = await bootGateway(doubles, keys, { mode });
    host = uniqueHost();
    brandId = uniqueBrandId();
    await seedAgentDomain(redis, host, brandId);
  });

  afterAll(async () => {
    for (const mode of MODES) await gateways[mode]?.close();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  beforeEach(() => resetDoubles(doubles));

  /** An identity whose session exists, so only the token can be the reason for a refusal. */
  async function identity(): Promise<Identity> {
    const id = { account: unique('acct'), playerId: uniquePlayerId(), brandId, jti: randomUUID() };
    await seedSession(redis, brandId, id.account, id.jti, id.playerId);
    return id;
  }

  const rsSign = (
    id: Identity,
    pem: string,
    kid: string | undefined,
    extra: Record<string, unknown> = {},
    drop: string[] = [],
  ): Promise<string> => {
    const claims = claimsOf(id, extra);
    for (const name of drop) delete claims[name];
    const header: { alg: string; typ: string; kid?: string } = { alg: 'RS256', typ: 'JWT' };
    if (kid !== undefined) header.kid = kid;
    return new SignJWT(claims).setProtectedHeader(header).sign(createPrivateKey(pem));
  };

  const forgeries: [string, (id: Identity) => Promise<string> | string][] = [
    ['alg "none"', (id) => `${b64({ alg: 'none', typ: 'JWT', kid: keys.kid })}.${b64(claimsOf(id))}.`],
    [
      'HS256 keyed with the public key PEM',
      (id) => {
        const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: keys.kid })}.${b64(claimsOf(id))}`;
        return `${signingInput}.${createHmac('sha256', keys.publicKeyPem).update(signingInput).digest('base64url')}`;
      },
    ],
    [
      'ES256 under a known kid',
      (id) => {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        return new SignJWT(claimsOf(id))
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: keys.kid })
          .sign(privateKey);
      },
    ],
    ['an unknown kid', (id) => rsSign(id, unlisted.privateKeyPem, unlisted.kid)],
    ['no kid', (id) => rsSign(id, keys.privateKeyPem, undefined)],
    ['a missing exp', (id) => rsSign(id, keys.privateKeyPem, keys.kid, {}, ['exp'])],
    [
      'an expired exp',
      (id) =>
        rsSign(id, keys.privateKeyPem, keys.kid, {
          iat: Math.floor(Date.now() / 1000) - 1200,
          exp: Math.floor(Date.now() / 1000) - 60,
        }),
    ],
    ['a foreign key under a known kid', (id) => rsSign(id, foreign.privateKeyPem, keys.kid)],
    ['typ "agent"', (id) => rsSign(id, keys.privateKeyPem, keys.kid, { typ: 'agent' })],
    ['typ "admin"', (id) => rsSign(id, keys.privateKeyPem, keys.kid, { typ: 'admin', admin_id: 1 })],
    [
      'typ "recovery"',
      (id) => rsSign(id, keys.privateKeyPem, keys.kid, { typ: 'recovery', subject_type: 'player' }),
    ],
    ['no brand_id claim', (id) => rsSign(id, keys.privateKeyPem, keys.kid, {}, ['brand_id'])],
    [
      'a tampered payload',
      async (id) => {
        const [h, , s] = (await rsSign(id, keys.privateKeyPem, keys.kid)).split('.');
        return `${h}.${b64(claimsOf(id, { sub: '1' }))}.${s}`;
      },
    ],
    ['garbage', () => 'not.a.jwt'],
  ];

  describe.each(MODES)('in %s mode', (mode) => {
    it('accepts a valid RS256 player token and forwards the request', async () => {
      const player = await loginPlayer(redis, issuer, brandId);
      const res = await send(gateways[mode].url, '/api/v1/user/info', { host, token: player.token });
      expect(res.status).toBe(200);
      expect(res.json.status).toBe(0);
      expect(doubles.player.lastCall()?.headers['x-player-id']).toBe(String(player.playerId));
    });

    it.each(forgeries)(
      'refuses a token with %s: HTTP 200 status 3, nothing forwarded',
      async (_name, forge) => {
        const id = await identity();
        const token = await forge(id);
        const res = await send(gateways[mode].url, '/api/v1/user/info', { host, token });
        expect(res.status).toBe(200);
        expect(res.json).toEqual({ status: 3, msg: expect.any(String), data: null });
        expect(doubles.player.calls).toHaveLength(0);
        // The body never echoes the token.
        expect(res.text).not.toContain(token.slice(0, 20));
      },
    );

    it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer    '], ['token-without-scheme']])(
      'refuses the Authorization header %p with status 3',
      async (authorization) => {
        const res = await send(gateways[mode].url, '/api/v1/finance/balance', {
          host,
          headers: { authorization },
        });
        expect(res.json.status).toBe(3);
        expect(doubles.wallet.calls).toHaveLength(0);
      },
    );
  });

  it('counts gateway_jwt_unknown_kid_total for a token whose kid is not in JWT_PUBLIC_KEYS', async () => {
    const gw = gateways.observe;
    const before = await metricValue(gw.url, 'gateway_jwt_unknown_kid_total', { service: 'gateway' });
    const id = await identity();
    await send(gw.url, '/api/v1/user/info', {
      host,
      token: await rsSign(id, unlisted.privateKeyPem, unlisted.kid),
    });
    expect(await metricValue(gw.url, 'gateway_jwt_unknown_kid_total', { service: 'gateway' })).toBe(
      before + 1,
    );
    // A bad signature under a known kid is not an unknown kid.
    await send(gw.url, '/api/v1/user/info', {
      host,
      token: await rsSign(id, foreign.privateKeyPem, keys.kid),
    });
    expect(await metricValue(gw.url, 'gateway_jwt_unknown_kid_total', { service: 'gateway' })).toBe(
      before + 1,
    );
  });

  it('refuses a token once its exp passes, even after it was accepted before', async () => {
    const gw = gateways.observe;
    const id = await identity();
    const { token } = await issuer.sign(
      { sub: String(id.playerId), account: id.account, brand_id: brandId },
      { typ: 'player', jti: id.jti, expiresInSeconds: 2 },
    );
    expect((await send(gw.url, '/api/v1/user/info', { host, token })).json.status).toBe(0);
    await sleep(2100);
    const res = await send(gw.url, '/api/v1/user/info', { host, token });
    expect(res.json.status).toBe(3);
  });

  it('reports JWT_KID and the mode on /health', async () => {
    const res = await send(gateways.enforce.url, '/health');
    expect(res.json.data).toMatchObject({ jwt_kid: keys.kid, multi_brand_enforcement: 'enforce' });
  });
});

describe('gateway JWT key hot reload', () => {
  const oldKeys = makeKeyPair();
  const newKeys = makeKeyPair();
  let doubles: Doubles;
  let redis: Redis;
  let gateway: BootedApp;
  let current: Map<string, string>;
  let sourceReads = 0;
  let host: string;
  let brandId: number;

  beforeAll(async () => {
    redis = seedClient();
    doubles = await startDoubles();
    current = parsePublicKeys(JSON.stringify({ [oldKeys.kid]: oldKeys.publicKeyPem }));
    gateway = await bootGateway(doubles, oldKeys, {
      module: {
        keySource: () => {
          sourceReads += 1;
          return current;
        },
      },
    });
    host = uniqueHost();
    brandId = uniqueBrandId();
    await seedAgentDomain(redis, host, brandId);
  });

  afterAll(async () => {
    await gateway?.close();
    await closeDoubles(doubles);
    redis?.disconnect();
  });

  async function statusWith(token: string): Promise<number> {
    return (await send(gateway.url, '/api/v1/user/info', { host, token })).json.status;
  }

  /** Publishes the rotation message until `token` gets `expected` (pub/sub delivery is asynchronous). */
  async function rotateUntil(token: string, expected: number): Promise<number> {
    const deadline = Date.now() + 5000;
    let status = -1;
    while (Date.now() < deadline) {
      await redis.publish('jwt_public_keys_changed', String(Date.now()));
      await sleep(50);
      status = await statusWith(token);
      if (status === expected) break;
    }
    return status;
  }

  it('builds the verifier once, not per request', async () => {
    const oldPlayer = await loginPlayer(redis, issuerFor(oldKeys), brandId);
    const readsBefore = sourceReads;
    for (let i = 0; i < 5; i += 1) expect(await statusWith(oldPlayer.token)).toBe(0);
    expect(sourceReads - readsBefore).toBeLessThanOrEqual(1);
    expect(sourceReads).toBe(1);
  });

  it('accepts a new kid after jwt_public_keys_changed, keeps the old one during the overlap, drops it after', async () => {
    const oldPlayer = await loginPlayer(redis, issuerFor(oldKeys), brandId);
    const newPlayer = await loginPlayer(redis, issuerFor(newKeys), brandId);
    expect(await statusWith(newPlayer.token)).toBe(3);

    // Overlap window: both kids.
    current = parsePublicKeys(
      JSON.stringify({ [oldKeys.kid]: oldKeys.publicKeyPem, [newKeys.kid]: newKeys.publicKeyPem }),
    );
    // Without the message the cached verifier keeps refusing the new kid.
    expect(await statusWith(newPlayer.token)).toBe(3);
    expect(await rotateUntil(newPlayer.token, 0)).toBe(0);
    expect(await statusWith(oldPlayer.token)).toBe(0);

    // End of the overlap: the old kid is gone.
    current = parsePublicKeys(JSON.stringify({ [newKeys.kid]: newKeys.publicKeyPem }));
    expect(await rotateUntil(oldPlayer.token, 3)).toBe(3);
    expect(await statusWith(newPlayer.token)).toBe(0);
  });
});
