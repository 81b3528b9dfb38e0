/**
 * Per-worker Redis databases for e2e suites: jest worker n uses logical
 * database n (1..15; 0 is left to development), so parallel workers do not
 * see each other's keys. Base URL from TEST_REDIS_URL or 127.0.0.1:6379;
 * TEST_REDIS_DB_OFFSET shifts the numbers for a second run alongside.
 */
import Redis from 'ioredis';

export function suiteRedisUrl(): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  // TEST_REDIS_DB_OFFSET lets a second, concurrent jest run on the same machine use other databases.
  const offset = Number(process.env.TEST_REDIS_DB_OFFSET ?? '0') || 0;
  const n = (((Number.isInteger(worker) && worker > 0 ? worker : 1) - 1 + offset) % 15) + 1;
  const url = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${n}`;
  return url.toString();
}

/** Empties the logical database of `url` (only that one). */
export async function flushSuiteRedis(url: string = suiteRedisUrl()): Promise<void> {
  const db = Number(new URL(url).pathname.replace(/^\//, '') || '0');
  if (db === 0) throw new Error('refusing to flush Redis database 0');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.flushdb();
  } finally {
    client.disconnect();
  }
}
