import { DownstreamClient, relayableHeaders } from './client';

describe('relayableHeaders', () => {
  it('drops hop-by-hop headers and those named by Connection', () => {
    expect(
      relayableHeaders({
        'content-type': 'application/json',
        connection: 'keep-alive, x-private-hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'x-private-hop': '1',
        'x-request-id': 'r1',
        upgrade: 'h2c',
        empty: undefined,
      }),
    ).toEqual({ 'content-type': 'application/json', 'x-request-id': 'r1' });
  });
});

describe('DownstreamClient', () => {
  const base = { caller: 'gateway' as const, timeoutMs: 500, service: 'gateway' };

  it('refuses to sign a wallet write without a signing key, before sending anything', async () => {
    const client = new DownstreamClient({ ...base, token: 't' });
    await expect(
      client.call({ target: 'wallet', baseUrl: 'http://127.0.0.1:1', method: 'POST', path: '/x', brandId: 1, requestId: 'r', signBrand: true }),
    ).rejects.toThrow(/sign/i);
    await client.close();
  });

  it('refuses to call without any internal token', async () => {
    const client = new DownstreamClient({ ...base, token: undefined });
    await expect(
      client.call({ target: 'player', baseUrl: 'http://127.0.0.1:1', method: 'GET', path: '/x', requestId: 'r' }),
    ).rejects.toThrow(/token/i);
    await client.close();
  });
});
