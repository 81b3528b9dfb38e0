import { connectQuietly, createRedis, pingRedis } from './redis';

describe('createRedis', () => {
  it('fails a command at once while Redis is unreachable (no offline queue), so callers fail closed', async () => {
    const client = createRedis('redis://127.0.0.1:1', 'test', { retryStrategy: () => null });
    expect(await connectQuietly(client, 300)).toBe(false);
    await expect(client.get('x')).rejects.toThrow();
    expect(await pingRedis(client)).toBe(false);
    client.disconnect();
  });
});
