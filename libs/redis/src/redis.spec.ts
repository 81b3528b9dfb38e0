import { closeRedis, connectQuietly, createRedis, pingRedis } from './redis';

describe('createRedis', () => {
  it('fails a command at once while Redis is unreachable (no offline queue), so callers fail closed', async () => {
    const client = createRedis('redis://127.0.0.1:1', 'test', { retryStrategy: () => null });
    expect(await connectQuietly(client, 300)).toBe(false);
    await expect(client.get('x')).rejects.toThrow();
    expect(await pingRedis(client)).toBe(false);
    closeRedis(client);
  });
});

describe('closeRedis', () => {
  it('leaves no timer behind on a client that already ended', async () => {
    const client = createRedis('redis://127.0.0.1:1', 'test', { retryStrategy: () => null });
    expect(await connectQuietly(client, 300)).toBe(false);
    expect(client.status).toBe('end');
    jest.useFakeTimers();
    try {
      closeRedis(client);
      // disconnect() here would arm ioredis' 2 s disconnect timer that nothing clears
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
