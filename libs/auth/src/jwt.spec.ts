import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { register } from 'prom-client';
import { AuthRequiredError, Status } from '@app/http';
import { devKeyPair, type DevKeyPair } from './dev-keys';
import { JwtIssuer } from './jwt-issuer';
import { JwtVerifier } from './jwt-verifier';
import { JwtRejectedError, type JwtRejectReason, type TokenType } from './jwt.types';

const KID = 'kid-2026-01';
const SERVICE = 'jwt_spec';

let main: DevKeyPair;
let foreign: DevKeyPair;
let issuer: JwtIssuer;
let verifier: JwtVerifier;

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function playerPayload(overrides: Record<string, unknown> = {}) {
  const iat = nowSeconds();
  return {
    sub: '42',
    typ: 'player',
    account: 'alice',
    brand_id: 1,
    jti: 'j-1',
    iat,
    exp: iat + 600,
    ...overrides,
  };
}

async function rs256(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { kid: KID },
  pem = main.privateKeyPem,
) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header })
    .sign(createPrivateKey(pem));
}

async function expectRejected(promise: Promise<unknown>, reason: JwtRejectReason): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(AuthRequiredError);
  await expect(promise).rejects.toMatchObject({ reason, status: Status.AUTH_REQUIRED });
}

async function unknownKidCount(): Promise<number> {
  const metric = await register.getSingleMetric('gateway_jwt_unknown_kid_total')?.get();
  return metric?.values.find((v) => v.labels.service === SERVICE)?.value ?? 0;
}

beforeAll(() => {
  main = devKeyPair();
  foreign = devKeyPair();
  issuer = new JwtIssuer({ privateKeyPem: main.privateKeyPem, kid: KID, expiresInSeconds: 3600 });
  verifier = new JwtVerifier({ publicKeys: new Map([[KID, main.publicKeyPem]]), service: SERVICE });
});

describe('JwtIssuer', () => {
  it('signs RS256 with the exact header {alg, typ, kid}', async () => {
    const { token } = await issuer.signPlayer({ playerId: 42, account: 'alice', brandId: 3 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: KID });
  });

  it('mints player claims: sub as string, typ, account, brand_id, jti, iat, exp', async () => {
    const before = nowSeconds();
    const issued = await issuer.signPlayer({ playerId: 42, account: 'alice', brandId: 3 });
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({
      sub: '42',
      typ: 'player',
      account: 'alice',
      brand_id: 3,
      jti: issued.jti,
    });
    expect(issued.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims.exp).toBe((claims.iat as number) + 3600);
    expect(issued).toMatchObject({ expiresIn: 3600, exp: claims.exp });
  });

  it('uses a fresh jti per token unless one is given', async () => {
    const a = await issuer.signPlayer({ playerId: 1, account: 'a', brandId: 1 });
    const b = await issuer.signPlayer({ playerId: 1, account: 'a', brandId: 1 });
    expect(a.jti).not.toBe(b.jti);
    const c = await issuer.signPlayer({ playerId: 1, account: 'a', brandId: 1, jti: 'given' });
    expect(decodeJwt(c.token).jti).toBe('given');
  });

  it('mints agent, admin and recovery claims', async () => {
    const agent = decodeJwt((await issuer.signAgent({ agentGuid: 7001, account: 'ag', brandId: 2 })).token);
    expect(agent).toMatchObject({ sub: '7001', typ: 'agent', account: 'ag', brand_id: 2 });

    const admin = decodeJwt((await issuer.signAdmin({ adminId: 9 })).token);
    expect(admin).toMatchObject({ typ: 'admin', admin_id: 9 });
    expect(admin.sub).toBeUndefined();

    const recovery = await issuer.signRecovery({
      subjectType: 'agent',
      sub: 7001,
      brandId: 2,
      ttlSeconds: 900,
    });
    const claims = decodeJwt(recovery.token);
    expect(claims).toMatchObject({ typ: 'recovery', subject_type: 'agent', sub: '7001', brand_id: 2 });
    expect(claims.exp).toBe((claims.iat as number) + 900);
    expect(recovery.expiresIn).toBe(900);
  });

  it('never lets caller claims override typ, jti, iat or exp', async () => {
    const issued = await issuer.sign(
      { typ: 'admin', exp: 1, iat: 1, jti: 'x', extra: true },
      { typ: 'player' },
    );
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({ typ: 'player', jti: issued.jti, extra: true });
    expect(claims.jti).not.toBe('x');
    expect(claims.exp).toBeGreaterThan(nowSeconds());
  });

  it('refuses a non-RSA or short key, an empty kid and a bad lifetime', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(() => new JwtIssuer({ privateKeyPem: ec.privateKey, kid: KID, expiresInSeconds: 60 })).toThrow(
      /RSA/,
    );
    const small = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect(() => new JwtIssuer({ privateKeyPem: small.privateKey, kid: KID, expiresInSeconds: 60 })).toThrow(
      /2048/,
    );
    expect(
      () => new JwtIssuer({ privateKeyPem: main.privateKeyPem, kid: ' ', expiresInSeconds: 60 }),
    ).toThrow(/kid/);
    expect(() => new JwtIssuer({ privateKeyPem: main.privateKeyPem, kid: KID, expiresInSeconds: 0 })).toThrow(
      RangeError,
    );
  });

  it('exposes the matching public key', async () => {
    const v = new JwtVerifier({ publicKeys: new Map([[KID, issuer.publicKeyPem]]), service: SERVICE });
    const { token } = await issuer.signAdmin({ adminId: 1 });
    await expect(v.verify(token, 'admin')).resolves.toMatchObject({ admin_id: 1 });
  });
});

describe('JwtVerifier accepts', () => {
  it('a genuine token of the expected type, returning its claims', async () => {
    const { token, jti } = await issuer.signPlayer({ playerId: 42, account: 'alice', brandId: 3 });
    const claims = await verifier.verify(token, 'player');
    expect(claims).toMatchObject({ sub: '42', typ: 'player', account: 'alice', brand_id: 3, jti });
  });

  it('every type the issuers mint', async () => {
    await expect(
      verifier.verify(
        (await issuer.signAgent({ agentGuid: 'g-1', account: 'ag', brandId: 2 })).token,
        'agent',
      ),
    ).resolves.toMatchObject({ sub: 'g-1' });
    await expect(
      verifier.verify((await issuer.signAdmin({ adminId: 5 })).token, 'admin'),
    ).resolves.toMatchObject({ admin_id: 5 });
    await expect(
      verifier.verify(
        (await issuer.signRecovery({ subjectType: 'player', sub: 42, brandId: 1, ttlSeconds: 60 })).token,
        'recovery',
      ),
    ).resolves.toMatchObject({ subject_type: 'player', sub: '42', brand_id: 1 });
  });

  it('tokens of an older kid still in the allow list (rotation overlap)', async () => {
    const next = devKeyPair();
    const ring = new JwtVerifier({
      publicKeys: new Map([
        [KID, main.publicKeyPem],
        [next.kid, next.publicKeyPem],
      ]),
      service: SERVICE,
    });
    const newIssuer = new JwtIssuer({
      privateKeyPem: next.privateKeyPem,
      kid: next.kid,
      expiresInSeconds: 60,
    });
    await expect(ring.verify((await issuer.signAdmin({ adminId: 1 })).token, 'admin')).resolves.toBeTruthy();
    await expect(
      ring.verify((await newIssuer.signAdmin({ adminId: 1 })).token, 'admin'),
    ).resolves.toBeTruthy();
    expect(ring.kids.sort()).toEqual([KID, next.kid].sort());
  });

  it('an admin token without admin_id, leaving the jwt_missing_claim decision to the admin service', async () => {
    const token = await rs256({ typ: 'admin', jti: 'j', iat: nowSeconds(), exp: nowSeconds() + 60 });
    const claims = await verifier.verify(token, 'admin');
    expect(claims.admin_id).toBeUndefined();
  });

  it('a recovery token without brand_id (minted before brand-aware issuance)', async () => {
    const token = await rs256({
      typ: 'recovery',
      subject_type: 'player',
      sub: '42',
      jti: 'j',
      exp: nowSeconds() + 60,
    });
    await expect(verifier.verify(token, 'recovery')).resolves.toMatchObject({ sub: '42' });
  });
});

describe('JwtVerifier rejects forged and unusable tokens', () => {
  it('alg=none', async () => {
    const token = `${b64url({ alg: 'none', typ: 'JWT', kid: KID })}.${b64url(playerPayload())}.`;
    await expectRejected(verifier.verify(token, 'player'), 'bad_alg');
  });

  it('HS256 signed with the public key PEM as the HMAC secret', async () => {
    const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: KID })}.${b64url(playerPayload())}`;
    const signature = createHmac('sha256', main.publicKeyPem).update(signingInput).digest('base64url');
    await expectRejected(verifier.verify(`${signingInput}.${signature}`, 'player'), 'bad_alg');
  });

  it('HS256 signed with jose and any secret', async () => {
    const token = await new SignJWT(playerPayload())
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expectRejected(verifier.verify(token, 'player'), 'bad_alg');
  });

  it('ES256 and PS256, even under a known kid', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es = await new SignJWT(playerPayload())
      .setProtectedHeader({ alg: 'ES256', kid: KID })
      .sign(ec.privateKey);
    await expectRejected(verifier.verify(es, 'player'), 'bad_alg');
    const ps = await new SignJWT(playerPayload())
      .setProtectedHeader({ alg: 'PS256', kid: KID })
      .sign(createPrivateKey(main.privateKeyPem));
    await expectRejected(verifier.verify(ps, 'player'), 'bad_alg');
  });

  it('an unknown kid, counting gateway_jwt_unknown_kid_total', async () => {
    const before = await unknownKidCount();
    const token = await rs256(playerPayload(), { kid: 'kid-retired' });
    await expectRejected(verifier.verify(token, 'player'), 'unknown_kid');
    expect(await unknownKidCount()).toBe(before + 1);
  });

  it('a kid that only exists on Object.prototype', async () => {
    await expectRejected(
      verifier.verify(await rs256(playerPayload(), { kid: 'constructor' }), 'player'),
      'unknown_kid',
    );
  });

  it('a missing or empty kid', async () => {
    await expectRejected(verifier.verify(await rs256(playerPayload(), {}), 'player'), 'missing_kid');
    await expectRejected(verifier.verify(await rs256(playerPayload(), { kid: '' }), 'player'), 'missing_kid');
  });

  it('a missing exp', async () => {
    const { exp: _omitted, ...payload } = playerPayload();
    await expectRejected(verifier.verify(await rs256(payload), 'player'), 'missing_exp');
  });

  it('a past exp', async () => {
    const token = await rs256(playerPayload({ iat: nowSeconds() - 7200, exp: nowSeconds() - 10 }));
    await expectRejected(verifier.verify(token, 'player'), 'expired');
  });

  it('a token the issuer minted once its lifetime is over', async () => {
    const past = new JwtIssuer({
      privateKeyPem: main.privateKeyPem,
      kid: KID,
      expiresInSeconds: 60,
      now: () => Date.now() - 61_000,
    });
    await expectRejected(
      verifier.verify((await past.signPlayer({ playerId: 1, account: 'a', brandId: 1 })).token, 'player'),
      'expired',
    );
  });

  it('a token not yet valid (nbf in the future)', async () => {
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ nbf: nowSeconds() + 600 })), 'player'),
      'not_yet_valid',
    );
  });

  it('a foreign key signature under a known kid', async () => {
    const token = await rs256(playerPayload(), { kid: KID }, foreign.privateKeyPem);
    await expectRejected(verifier.verify(token, 'player'), 'bad_signature');
  });

  it('a tampered payload (brand_id switched)', async () => {
    const { token } = await issuer.signPlayer({ playerId: 42, account: 'alice', brandId: 1 });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${b64url({ ...claims, brand_id: 2 })}.${signature}`;
    await expectRejected(verifier.verify(forged, 'player'), 'bad_signature');
  });

  it('a tampered header (kid switched to another known kid)', async () => {
    const other = devKeyPair();
    const two = new JwtVerifier({
      publicKeys: new Map([
        [KID, main.publicKeyPem],
        ['k2', other.publicKeyPem],
      ]),
      service: SERVICE,
    });
    const { token } = await issuer.signAdmin({ adminId: 1 });
    const [, payload, signature] = token.split('.');
    await expectRejected(
      two.verify(`${b64url({ alg: 'RS256', typ: 'JWT', kid: 'k2' })}.${payload}.${signature}`, 'admin'),
      'bad_signature',
    );
  });

  it('a token meant for another audience (typ claim)', async () => {
    const player = (await issuer.signPlayer({ playerId: 42, account: 'alice', brandId: 1 })).token;
    const recovery = (
      await issuer.signRecovery({ subjectType: 'player', sub: 42, brandId: 1, ttlSeconds: 60 })
    ).token;
    const agent = (await issuer.signAgent({ agentGuid: 1, account: 'ag', brandId: 1 })).token;
    const cases: Array<[string, TokenType]> = [
      [player, 'admin'],
      [player, 'agent'],
      [player, 'recovery'],
      [recovery, 'player'],
      [agent, 'player'],
    ];
    for (const [token, typ] of cases) await expectRejected(verifier.verify(token, typ), 'wrong_typ');
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ typ: undefined })), 'player'),
      'wrong_typ',
    );
  });

  it('claims without the contract shape', async () => {
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ brand_id: undefined })), 'player'),
      'bad_claims',
    );
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ brand_id: '1' })), 'player'),
      'bad_claims',
    );
    await expectRejected(verifier.verify(await rs256(playerPayload({ sub: 42 })), 'player'), 'bad_claims');
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ jti: undefined })), 'player'),
      'bad_claims',
    );
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ typ: 'admin', admin_id: '5' })), 'admin'),
      'bad_claims',
    );
    await expectRejected(
      verifier.verify(await rs256(playerPayload({ typ: 'recovery', subject_type: 'staff' })), 'recovery'),
      'bad_claims',
    );
  });

  it('malformed input', async () => {
    for (const token of ['', 'abc', 'a.b.c', 'a.b', 'x'.repeat(9000)]) {
      await expectRejected(verifier.verify(token, 'player'), 'malformed');
    }
    // A well-formed RS256 header over garbage: the signature is checked before the payload is parsed.
    await expectRejected(
      verifier.verify(`${b64url({ alg: 'RS256', kid: KID })}.!!!.sig`, 'player'),
      'bad_signature',
    );
    const real = (await issuer.signAdmin({ adminId: 1 })).token;
    await expectRejected(verifier.verify(`${real}.extra.parts`, 'admin'), 'malformed');
    await expectRejected(verifier.verify(undefined as unknown as string, 'admin'), 'malformed');
  });

  it('keeps the token out of the error', async () => {
    const token = await rs256(playerPayload(), { kid: KID }, foreign.privateKeyPem);
    const err = await verifier.verify(token, 'player').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JwtRejectedError);
    expect(JSON.stringify({ message: (err as Error).message, ...(err as object) })).not.toContain(
      token.split('.')[2],
    );
  });
});

describe('JwtVerifier construction', () => {
  it('refuses a non-RSA public key in the allow list', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect(() => new JwtVerifier({ publicKeys: new Map([['ec', ec.publicKey]]), service: SERVICE })).toThrow(
      /RSA/,
    );
  });

  it('rejects everything with an empty allow list', async () => {
    const empty = new JwtVerifier({ publicKeys: new Map(), service: SERVICE });
    await expectRejected(
      empty.verify((await issuer.signAdmin({ adminId: 1 })).token, 'admin'),
      'unknown_kid',
    );
  });
});

describe('devKeyPair', () => {
  it('makes an RSA 2048 pair with a dev- kid that signs and verifies', async () => {
    const pair = devKeyPair();
    expect(pair.kid).toMatch(/^dev-[0-9a-f]{16}$/);
    expect(devKeyPair().kid).not.toBe(pair.kid);
    expect(createPublicKey(pair.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const devIssuer = new JwtIssuer({
      privateKeyPem: pair.privateKeyPem,
      kid: pair.kid,
      expiresInSeconds: 60,
    });
    const devVerifier = new JwtVerifier({
      publicKeys: new Map([[pair.kid, pair.publicKeyPem]]),
      service: SERVICE,
    });
    await expect(
      devVerifier.verify((await devIssuer.signAdmin({ adminId: 3 })).token, 'admin'),
    ).resolves.toMatchObject({ admin_id: 3 });
  });
});
