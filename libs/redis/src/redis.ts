import Redis, { type RedisOptions } from 'ioredis';

/**
 * One way to open Redis for every process. The offline queue is off so that a
 * command issued while Redis is down fails at once instead of waiting: brand
 * resolution and session checks then fail closed (gateway seed, ADR-009), and
 * the client keeps reconnecting in the background so the process recovers
 * by itself when Redis returns.
 */
export function createRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    lazyConnect: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    ...extra,
  });
}

/** Subscribers need the offline queue so SUBSCRIBE is replayed after a reconnect. */
export function createSubscriber(url: string, name: string): Redis {
  return createRedis(url, name, { enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
}

/** Connects without throwing; resolves true once ready or false after timeoutMs. */
export async function connectQuietly(client: Redis, timeoutMs = 3000): Promise<boolean> {
  if (client.status === 'ready') return true;
  const ready = new Promise<boolean>((resolve) => {
    const onReady = () => resolve(true);
    client.once('ready', onReady);
    setTimeout(() => {
      client.off('ready', onReady);
      resolve(client.status === 'ready');
    }, timeoutMs).unref();
  });
  if (client.status === 'wait') {
    client.connect().catch(() => undefined);
  }
  return ready;
}

/**
 * Closes a client for good. ioredis' disconnect() ends the current socket and
 * arms a timer (disconnectTimeout, 2 s) that destroys it if it has not closed
 * by then; only that socket's 'close' clears the timer. A client that has
 * already ended (its connect was refused and retryStrategy gave up) closed its
 * socket long ago, so disconnect() would leave that timer to run its full 2 s
 * and hold the process open: there is nothing left to close.
 */
export function closeRedis(client: Redis): void {
  if (client.status === 'end') return;
  client.disconnect();
}

export async function pingRedis(client: Redis): Promise<boolean> {
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}
