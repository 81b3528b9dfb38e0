/**
 * Shared setup for the outbox and audit suites: a suite database (migrated),
 * a TypeORM DataSource on it, a suite Redis and small helpers to write
 * events the way producers do and read the stream back.
 */
import { Redis } from 'ioredis';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { buildEvent, OutboxWriter, type DomainEvent, type OutboxLogger, type OutboxTable } from '@app/outbox';
import { createSuiteDatabase } from '../support/db';
import { suiteRedisUrl } from '../support/redis';

/** Nothing listens here: the "Redis is down" case. */
export const DEAD_REDIS_URL = 'redis://127.0.0.1:6399';

export interface Harness {
  /** Superuser: producers' fixtures and assertions across brands. */
  dataSource: DataSource;
  /** The app role (row-level security applies), as the workers connect. */
  appDataSource: DataSource;
  redis: Redis;
  close(): Promise<void>;
}

export async function startHarness(label: string): Promise<Harness> {
  const db = await createSuiteDatabase(label);
  const dataSource = new DataSource({ type: 'postgres', url: db.url, poolSize: 8 });
  await dataSource.initialize();
  const appDataSource = new DataSource({ type: 'postgres', url: db.appUrl, poolSize: 4 });
  await appDataSource.initialize();
  const redis = new Redis(suiteRedisUrl());
  return {
    dataSource,
    appDataSource,
    redis,
    close: async () => {
      await appDataSource.destroy();
      await dataSource.destroy();
      await redis.quit();
      await db.drop();
    },
  };
}

export const silentLogger = (): OutboxLogger & { calls: unknown[] } => {
  const calls: unknown[] = [];
  const record = (message: unknown) => {
    calls.push(message);
  };
  return { calls, log: record, warn: record, error: record };
};

export function event(brandId: number, n: number): DomainEvent<{ n: number }> {
  return buildEvent({
    eventType: 'PLAYER_REGISTERED',
    brandId,
    aggregateType: 'player',
    aggregateId: n,
    producer: 'player_service',
    requestId: `req-${n}`,
    payload: { n },
  });
}

/** Writes events in one committed transaction, as a producer would. */
export async function writeEvents(
  dataSource: DataSource,
  table: OutboxTable,
  events: DomainEvent<unknown>[],
): Promise<void> {
  const writer = new OutboxWriter();
  await dataSource.transaction(async (manager) => {
    for (const e of events) await writer.write(manager, table, e);
  });
}

export async function streamEvents(
  redis: Redis,
  stream: string,
): Promise<Array<{ fields: string[]; event: DomainEvent<unknown> }>> {
  const entries = await redis.xrange(stream, '-', '+');
  return entries.map(([, fields]) => ({ fields, event: JSON.parse(fields[1]) as DomainEvent<unknown> }));
}

export async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const values = (await metric.get()).values;
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
