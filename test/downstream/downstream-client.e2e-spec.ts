// DownstreamClient against the recording double: CONTRACTS §3 headers, signed brand, bounded failures.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { register } from 'prom-client';
import { verifyBrandSignature } from '@app/auth';
import { DownstreamClient } from '@app/downstream';
import { DownstreamUnavailableError, Status } from '@app/http';
import { startDownstreamDouble, type DoubleReply, type DownstreamDouble } from '../support/downstream-double';

const KEY = 'wallet-brand-signing-key';
const TOKENS = { gateway: 'tok-gateway-1', admin: 'tok-admin-1' };
/** Big enough to arrive in many chunks; multi-byte characters land on chunk boundaries somewhere. */
const BIG_TEXT = 'brand-é€😀-'.repeat(60_000);
const BIG_BINARY = randomBytes(3 * 1024 * 1024);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function counterValue(labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric('downstream_requests_total');
  if (!metric) return 0;
  const values = (await metric.get()).values;
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('DownstreamClient', () => {
  let wallet: DownstreamDouble;
  let client: DownstreamClient;

  beforeAll(async () => {
    wallet = await startDownstreamDouble({
      name: 'wallet',
      tokens: TOKENS,
      signingKey: KEY,
      requireSignatureOn: (call) => call.path.startsWith('/internal/wallet/') && call.method !== 'GET',
      respond: (call): DoubleReply => {
        if (call.path === '/slow') return { status: 200, body: { status: 0 }, delayMs: 3000 };
        if (call.path === '/text')
          return { status: 200, body: 'plain text', headers: { 'content-type': 'text/plain' } };
        if (call.path === '/empty') return { status: 204 };
        if (call.path === '/big-json')
          return { status: 200, body: { status: 0, msg: 'ok', data: { text: BIG_TEXT } } };
        if (call.path === '/big-binary')
          return { status: 200, body: BIG_BINARY, headers: { 'content-type': 'application/octet-stream' } };
        return {
          status: 200,
          body: { status: 0, msg: 'ok', data: { seen: call.body } },
          headers: { 'x-downstream': 'wallet' },
        };
      },
    });
    client = new DownstreamClient({
      caller: 'admin',
      token: TOKENS.admin,
      legacyToken: 'legacy-shared',
      signingKey: KEY,
      timeoutMs: 400,
      service: 'admin_service',
    });
  });
  afterAll(async () => {
    await client.close();
    await wallet.close();
  });
  beforeEach(() => wallet.reset());

  it('sends the per-caller token, caller, request id and brand id', async () => {
    const res = await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'GET',
      path: '/internal/balances',
      query: { player_id: 42, tags: ['a', 'b'], skip: undefined },
      brandId: 3,
      requestId: 'req-abc',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual({ status: 0, msg: 'ok', data: { seen: null } });
    expect(res.headers['x-downstream']).toBe('wallet');
    const call = wallet.lastCall();
    expect(call).toMatchObject({ tokenValid: true, caller: 'admin', brandId: 3, path: '/internal/balances' });
    expect(call?.query).toEqual({ player_id: '42', tags: ['a', 'b'] });
    expect(call?.headers['x-internal-service-token']).toBe(TOKENS.admin);
    expect(call?.headers['x-request-id']).toBe('req-abc');
    expect(call?.headers['x-brand-signature']).toBeUndefined();
  });

  it.each([null, undefined, 0, -5])('omits X-Brand-Id for brand %p', async (brandId) => {
    await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'GET',
      path: '/x',
      brandId,
      requestId: 'r',
    });
    expect(wallet.lastCall()?.headers['x-brand-id']).toBeUndefined();
  });

  it('drops caller-supplied brand, token, caller and hop-by-hop headers', async () => {
    await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'POST',
      path: '/internal/things',
      headers: {
        'X-Brand-Id': '99',
        'x-internal-service-token': 'spoofed',
        'X-Caller-Service': 'gateway',
        'x-request-id': 'spoofed-id',
        Connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': 'hop',
        'Keep-Alive': 'timeout=5',
        'Transfer-Encoding': 'chunked',
        TE: 'trailers',
        'x-forwarded-for': '10.0.0.1',
      },
      body: { amount: 5 },
      brandId: 2,
      requestId: 'req-real',
    });
    const call = wallet.lastCall();
    expect(call).toMatchObject({ brandId: 2, caller: 'admin', tokenValid: true, body: { amount: 5 } });
    expect(call?.headers['x-request-id']).toBe('req-real');
    expect(call?.headers['x-secret-hop']).toBeUndefined();
    expect(call?.headers.te).toBeUndefined();
    expect(call?.headers['x-forwarded-for']).toBe('10.0.0.1');
  });

  it('strips hop-by-hop headers from the response', async () => {
    const res = await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'GET',
      path: '/x',
      requestId: 'r',
    });
    expect(res.headers.connection).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/json/);
  });

  it('signs brand-scoped wallet writes so the consumer verifies them', async () => {
    const res = await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'POST',
      path: '/internal/wallet/credit',
      body: { amount: 10 },
      brandId: 5,
      requestId: 'req-sign',
      signBrand: true,
    });
    expect(res.statusCode).toBe(200);
    const call = wallet.lastCall();
    expect(call?.signatureValid).toBe(true);
    expect(
      verifyBrandSignature({
        key: KEY,
        caller: 'admin',
        brandId: 5,
        requestId: 'req-sign',
        timestamp: call?.headers['x-brand-timestamp'] as string,
        signature: call?.headers['x-brand-signature'] as string,
      }),
    ).toBe(true);
  });

  it('is refused by the consumer when a wallet write is not signed', async () => {
    const res = await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'POST',
      path: '/internal/wallet/credit',
      body: { amount: 10 },
      brandId: 5,
      requestId: 'req-unsigned',
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).toMatchObject({ status: 53 });
  });

  it('refuses to sign without a signing key or a brand, before sending anything', async () => {
    const unkeyed = new DownstreamClient({
      caller: 'gateway',
      token: TOKENS.gateway,
      timeoutMs: 400,
      service: 'gateway',
    });
    await expect(
      unkeyed.call({
        target: 'wallet',
        baseUrl: wallet.url,
        method: 'POST',
        path: '/internal/wallet/credit',
        brandId: 1,
        requestId: 'r',
        signBrand: true,
      }),
    ).rejects.toThrow(/BRAND_SIGNING_KEY/);
    await expect(
      client.call({
        target: 'wallet',
        baseUrl: wallet.url,
        method: 'POST',
        path: '/internal/wallet/credit',
        brandId: null,
        requestId: 'r',
        signBrand: true,
      }),
    ).rejects.toThrow(/positive brandId/);
    expect(wallet.calls).toHaveLength(0);
    await unkeyed.close();
  });

  it('falls back to the legacy token only when no per-caller token is configured', async () => {
    const legacy = new DownstreamClient({
      caller: 'recon',
      token: undefined,
      legacyToken: 'legacy-shared',
      timeoutMs: 400,
      service: 'x',
    });
    expect(legacy.tokenKind).toBe('legacy');
    expect(client.tokenKind).toBe('per_caller');
    await legacy.call({ target: 'wallet', baseUrl: wallet.url, method: 'GET', path: '/x', requestId: 'r' });
    expect(wallet.lastCall()?.headers['x-internal-service-token']).toBe('legacy-shared');
    expect(wallet.lastCall()?.tokenValid).toBe(false);
    await legacy.close();
  });

  it('refuses to call with no token at all', async () => {
    const none = new DownstreamClient({ caller: 'game', token: undefined, timeoutMs: 400, service: 'x' });
    await expect(
      none.call({ target: 'wallet', baseUrl: wallet.url, method: 'GET', path: '/x', requestId: 'r' }),
    ).rejects.toThrow(/INTERNAL_SERVICE_TOKEN_GAME/);
    await none.close();
  });

  it('returns non-JSON bodies as a Buffer and empty ones as null', async () => {
    const text = await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'GET',
      path: '/text',
      requestId: 'r',
    });
    expect(Buffer.isBuffer(text.body)).toBe(true);
    expect((text.body as Buffer).toString()).toBe('plain text');

    const empty = await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'GET',
      path: '/empty',
      requestId: 'r',
    });
    expect(empty.statusCode).toBe(204);
    expect(empty.body).toBeNull();
  });

  describe('relay (the gateway proxy mode)', () => {
    const relay = (path: string, extra: Partial<Parameters<DownstreamClient['relay']>[0]> = {}) =>
      client.relay({ target: 'wallet', baseUrl: wallet.url, method: 'GET', path, requestId: 'r', ...extra });

    async function drain(body: unknown): Promise<Buffer> {
      expect(body).toBeInstanceOf(Readable);
      const chunks: Buffer[] = [];
      for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    }

    it('returns a JSON body as its whole text, with status and relayable headers', async () => {
      const response = await relay('/x', { omitResponseHeaders: new Set(['x-downstream']) });
      expect(response.statusCode).toBe(200);
      expect(typeof response.body).toBe('string');
      expect(JSON.parse(response.body as string)).toMatchObject({ status: 0, msg: 'ok' });
      expect(response.headers['content-type']).toMatch(/json/);
      expect(response.headers['x-downstream']).toBeUndefined();
      expect(response.headers.connection).toBeUndefined();
      expect(response.headers['keep-alive']).toBeUndefined();
    });

    it('returns any other body as an unread stream, and an empty one as an empty stream', async () => {
      const text = await relay('/text');
      expect((await drain(text.body)).toString()).toBe('plain text');
      const empty = await relay('/empty');
      expect(empty.statusCode).toBe(204);
      expect((await drain(empty.body)).length).toBe(0);
    });

    it('joins a JSON body that arrives in many chunks, multi-byte characters included', async () => {
      const response = await relay('/big-json');
      const parsed = JSON.parse(response.body as string) as { data: { text: string } };
      expect(parsed.data.text).toBe(BIG_TEXT);
    });

    it('streams a large non-JSON body intact to a slow reader', async () => {
      const response = await relay('/big-binary');
      const received: Buffer[] = [];
      for await (const chunk of response.body as Readable) {
        received.push(chunk as Buffer);
        // A slow consumer: the relay must pause the socket, not buffer the whole body or drop data.
        if (received.length % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      expect(Buffer.concat(received).equals(BIG_BINARY)).toBe(true);
    });

    it('sends the same internal headers as call()', async () => {
      await relay('/x', { brandId: 12, requestId: 'relay-req' });
      const seen = wallet.lastCall();
      expect(seen?.headers['x-internal-service-token']).toBe(TOKENS.admin);
      expect(seen?.headers['x-caller-service']).toBe('admin');
      expect(seen?.headers['x-request-id']).toBe('relay-req');
      expect(seen?.headers['x-brand-id']).toBe('12');
    });

    it('fails with status 7 on a refused connection and on a downstream that hangs, and counts it', async () => {
      const port = await closedPort();
      await expect(
        client.relay({
          target: 'game',
          baseUrl: `http://127.0.0.1:${port}`,
          method: 'GET',
          path: '/',
          requestId: 'r',
        }),
      ).rejects.toBeInstanceOf(DownstreamUnavailableError);
      const before = await counterValue({
        service: 'admin_service',
        target: 'wallet',
        outcome: 'unavailable',
        brand: '9',
      });
      await expect(relay('/slow', { brandId: 9 })).rejects.toBeInstanceOf(DownstreamUnavailableError);
      expect(
        await counterValue({
          service: 'admin_service',
          target: 'wallet',
          outcome: 'unavailable',
          brand: '9',
        }),
      ).toBe(before + 1);
    });

    it('refuses before sending anything when no token is configured', async () => {
      const none = new DownstreamClient({ caller: 'game', token: undefined, timeoutMs: 400, service: 'x' });
      const calls = wallet.calls.length;
      await expect(
        none.relay({ target: 'wallet', baseUrl: wallet.url, method: 'GET', path: '/x', requestId: 'r' }),
      ).rejects.toThrow(/INTERNAL_SERVICE_TOKEN_GAME/);
      expect(wallet.calls.length).toBe(calls);
      await none.close();
    });

    /** Runs `use` against a plain node:http server (for replies the recording double cannot make), then closes it. */
    async function withRawServer(
      handler: RequestListener,
      use: (baseUrl: string) => Promise<void>,
    ): Promise<void> {
      const server = createHttpServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      try {
        await use(`http://127.0.0.1:${port}`);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }

    it('aborts the downstream call when the relayed stream is destroyed', async () => {
      let closed!: () => void;
      const downstreamClosed = new Promise<void>((resolve) => (closed = resolve));
      const endless: RequestListener = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(Buffer.alloc(1024, 1));
        // Never ends on its own: only the client going away ends this response.
        res.on('close', () => closed());
      };
      await withRawServer(endless, async (baseUrl) => {
        const response = await client.relay({
          target: 'game',
          baseUrl,
          method: 'GET',
          path: '/endless',
          requestId: 'r',
          timeoutMs: 10_000,
        });
        const stream = response.body as Readable;
        await new Promise((resolve) => stream.once('data', resolve));
        stream.destroy();
        await downstreamClosed;
      });
    });

    it('ends the relayed stream in error when the downstream breaks off mid-body', async () => {
      const broken: RequestListener = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '4096' });
        res.write(Buffer.alloc(1024, 2), () => res.destroy());
      };
      await withRawServer(broken, async (baseUrl) => {
        const response = await client.relay({
          target: 'game',
          baseUrl,
          method: 'GET',
          path: '/broken',
          requestId: 'r',
        });
        await expect(drain(response.body)).rejects.toThrow();
      });
    });
  });

  it('keeps a base URL path prefix', async () => {
    await client.call({
      target: 'wallet',
      baseUrl: `${wallet.url}/prefix/`,
      method: 'GET',
      path: 'internal/x',
      requestId: 'r',
    });
    expect(wallet.lastCall()?.path).toBe('/prefix/internal/x');
  });

  it('gives up on a slow downstream within the timeout bound with status 7', async () => {
    const started = Date.now();
    const error = await client
      .call({
        target: 'wallet',
        baseUrl: wallet.url,
        method: 'GET',
        path: '/slow',
        requestId: 'r',
        brandId: 8,
      })
      .catch((err: unknown) => err);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(DownstreamUnavailableError);
    expect((error as DownstreamUnavailableError).status).toBe(Status.DOWNSTREAM_UNAVAILABLE);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(2000);
    expect(
      await counterValue({ service: 'admin_service', target: 'wallet', outcome: 'unavailable', brand: '8' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('turns a refused connection into DownstreamUnavailableError quickly', async () => {
    const port = await closedPort();
    const started = Date.now();
    await expect(
      client.call({
        target: 'game',
        baseUrl: `http://127.0.0.1:${port}`,
        method: 'POST',
        path: '/integration/launch',
        body: {},
        requestId: 'r',
      }),
    ).rejects.toBeInstanceOf(DownstreamUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts completed calls by target, outcome and brand', async () => {
    const before = await counterValue({
      service: 'admin_service',
      target: 'wallet',
      outcome: '2xx',
      brand: '6',
    });
    await client.call({
      target: 'wallet',
      baseUrl: wallet.url,
      method: 'GET',
      path: '/x',
      brandId: 6,
      requestId: 'r',
    });
    expect(
      await counterValue({ service: 'admin_service', target: 'wallet', outcome: '2xx', brand: '6' }),
    ).toBe(before + 1);
  });
});
