// The recording downstream double enforces CONTRACTS §3 the way a real consumer would.
import { request } from 'undici';
import { signBrand } from '@app/auth';
import { startDownstreamDouble, type DownstreamDouble } from '../support/downstream-double';

const KEY = 'brand-signing-key-for-tests';

describe('downstream double', () => {
  let double: DownstreamDouble;

  beforeAll(async () => {
    double = await startDownstreamDouble({
      name: 'wallet',
      tokens: { gateway: 'tok-gateway', admin: 'tok-admin' },
      legacyToken: 'tok-legacy',
      signingKey: KEY,
      requireSignatureOn: (call) => call.method === 'POST' && call.path.startsWith('/internal/wallet/'),
      respond: (call) =>
        call.path === '/teapot'
          ? { status: 418, body: { status: 1, msg: 'teapot', data: null }, headers: { 'x-double': 'yes' } }
          : { status: 200, body: { status: 0, msg: 'ok', data: { echo: call.body } } },
    });
  });
  afterAll(() => double.close());
  beforeEach(() => double.reset());

  const send = (path: string, headers: Record<string, string>, body?: unknown) =>
    request(`${double.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('records an authenticated call with its path, query, body and brand', async () => {
    const res = await send(
      '/internal/things?a=1&b=x&b=y',
      { 'x-internal-service-token': 'tok-gateway', 'x-caller-service': 'gateway', 'x-brand-id': '4' },
      { n: 1 },
    );
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ status: 0, msg: 'ok', data: { echo: { n: 1 } } });
    expect(double.calls).toHaveLength(1);
    expect(double.lastCall()).toMatchObject({
      method: 'POST',
      path: '/internal/things',
      query: { a: '1', b: ['x', 'y'] },
      body: { n: 1 },
      tokenValid: true,
      caller: 'gateway',
      brandId: 4,
      signatureValid: null,
    });
  });

  it("answers 401 status 60 for another caller's token", async () => {
    const res = await send('/internal/things', {
      'x-internal-service-token': 'tok-gateway',
      'x-caller-service': 'admin',
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toMatchObject({ status: 60 });
    expect(double.lastCall()).toMatchObject({ tokenValid: false, caller: 'admin' });
  });

  it('answers 401 status 60 without a token or for an unknown caller', async () => {
    const missing = await send('/internal/things', { 'x-caller-service': 'gateway' });
    expect(missing.statusCode).toBe(401);
    await missing.body.dump();
    const unknown = await send('/internal/things', {
      'x-internal-service-token': 'tok-gateway',
      'x-caller-service': 'nobody',
    });
    expect(unknown.statusCode).toBe(401);
    await unknown.body.dump();
    expect(double.calls.map((c) => c.tokenValid)).toEqual([false, false]);
  });

  it('accepts the legacy token only because it was configured', async () => {
    const res = await send('/internal/things', {
      'x-internal-service-token': 'tok-legacy',
      'x-caller-service': 'recon',
    });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(double.lastCall()?.tokenValid).toBe(true);
  });

  it('answers 401 status 53 for a required signature that is missing or wrong', async () => {
    const base = {
      'x-internal-service-token': 'tok-admin',
      'x-caller-service': 'admin',
      'x-brand-id': '2',
      'x-request-id': 'r-1',
    };
    const missing = await send('/internal/wallet/credit', base, { amount: 1 });
    expect(missing.statusCode).toBe(401);
    expect(await missing.body.json()).toMatchObject({ status: 53 });

    const forOtherBrand = signBrand({ key: KEY, caller: 'admin', brandId: 3, requestId: 'r-1' });
    const wrong = await send(
      '/internal/wallet/credit',
      { ...base, 'x-brand-timestamp': forOtherBrand.timestamp, 'x-brand-signature': forOtherBrand.signature },
      { amount: 1 },
    );
    expect(wrong.statusCode).toBe(401);
    await wrong.body.dump();
    expect(double.calls.map((c) => c.signatureValid)).toEqual([false, false]);
  });

  it('accepts a valid signature on a signed route', async () => {
    const signed = signBrand({ key: KEY, caller: 'admin', brandId: 2, requestId: 'r-2' });
    const res = await send(
      '/internal/wallet/credit',
      {
        'x-internal-service-token': 'tok-admin',
        'x-caller-service': 'admin',
        'x-brand-id': '2',
        'x-request-id': 'r-2',
        'x-brand-timestamp': signed.timestamp,
        'x-brand-signature': signed.signature,
      },
      { amount: 1 },
    );
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(double.lastCall()).toMatchObject({ signatureValid: true, brandId: 2 });
  });

  it('serves the configured reply and counts non-positive brand ids as missing', async () => {
    const res = await send('/teapot', {
      'x-internal-service-token': 'tok-admin',
      'x-caller-service': 'admin',
      'x-brand-id': '0',
    });
    expect(res.statusCode).toBe(418);
    expect(res.headers['x-double']).toBe('yes');
    expect(await res.body.json()).toMatchObject({ msg: 'teapot' });
    expect(double.lastCall()?.brandId).toBeNull();
  });

  it('forgets recorded calls on reset', async () => {
    const res = await send('/x', { 'x-internal-service-token': 'tok-admin', 'x-caller-service': 'admin' });
    await res.body.dump();
    expect(double.calls).toHaveLength(1);
    double.reset();
    expect(double.calls).toHaveLength(0);
  });
});
