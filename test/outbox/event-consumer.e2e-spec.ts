// Consumers apply ADR-009's schema_version policy and dedup at-least-once delivery on event_id (CONTRACTS §6, §11).
import { EventConsumerPolicy, EventDeduper, OutboxPoller } from '@app/outbox';
import { event, metricValue, silentLogger, startHarness, writeEvents, type Harness } from './harness';

const STREAM = 'events:agent';

const LABEL = 'event-consumer';

describe('event consumption', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(LABEL);
  });
  afterAll(() => h.close());

  async function publishedEntries(): Promise<string[]> {
    const entries = await h.redis.xrange(STREAM, '-', '+');
    return entries.map(([, fields]) => fields[1]);
  }

  beforeEach(async () => {
    await h.redis.del(STREAM);
    await h.dataSource.query('TRUNCATE agent_outbox');
  });

  it('reads the brand of each published v2 event from its envelope in every mode', async () => {
    await writeEvents(h.dataSource, 'agent_outbox', [event(2, 1), event(3, 2)]);
    const poller = new OutboxPoller({
      dataSource: h.appDataSource,
      redis: h.redis,
      table: 'agent_outbox',
      stream: STREAM,
      service: 'agent_worker',
      workerId: 'consumer-suite',
      batchSize: 10,
      pollIntervalMs: 20,
      leaseSeconds: 30,
      maxAttempts: 3,
      logger: silentLogger(),
    });
    await poller.runOnce();
    const raw = await publishedEntries();
    expect(raw).toHaveLength(2);
    for (const mode of ['off', 'observe', 'enforce'] as const) {
      const policy = new EventConsumerPolicy({
        mode,
        stream: STREAM,
        consumer: `suite-${mode}`,
        defaultBrandId: 1,
      });
      expect(raw.map((r) => policy.handle(r))).toEqual([
        expect.objectContaining({ accept: true, brandId: 2, legacy: false }),
        expect.objectContaining({ accept: true, brandId: 3, legacy: false }),
      ]);
    }
  });

  it('handles a v1 event from the stream per mode and counts it in observe and enforce', async () => {
    await h.redis.xadd(
      STREAM,
      '*',
      'event',
      JSON.stringify({ event_id: 'legacy-1', event_type: 'AGENT_CREATED', schema_version: 1, payload: {} }),
    );
    const [raw] = await publishedEntries();
    const decide = (mode: 'off' | 'observe' | 'enforce') =>
      new EventConsumerPolicy({ mode, stream: STREAM, consumer: 'stream-suite', defaultBrandId: 1 }).handle(
        raw,
      );
    const count = () =>
      metricValue('event_legacy_schema_total', { stream: STREAM, consumer: 'stream-suite' });

    const start = await count();
    expect(decide('off')).toMatchObject({ accept: true, brandId: 1, legacy: true });
    expect(await count()).toBe(start);
    expect(decide('observe')).toMatchObject({ accept: true, brandId: 1, legacy: true });
    expect(await count()).toBe(start + 1);
    expect(decide('enforce')).toEqual({
      accept: false,
      reason: 'legacy_schema_rejected',
      eventId: 'legacy-1',
    });
    expect(await count()).toBe(start + 2);
  });

  it('processes a redelivered event once, and again after a failed attempt is released', async () => {
    const deduper = new EventDeduper(h.redis, 'suite-consumer', 60);
    const id = event(1, 1).event_id;
    await h.redis.del(deduper.key(id));

    expect(await deduper.claim(id)).toBe(true);
    expect(await deduper.claim(id)).toBe(false);
    const ttl = await h.redis.ttl(`events:dedup:suite-consumer:${id}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);

    await deduper.release(id);
    expect(await deduper.claim(id)).toBe(true);
    // Another consumer group keeps its own marks.
    expect(await new EventDeduper(h.redis, 'other-consumer', 60).claim(id)).toBe(true);
    await h.redis.del(deduper.key(id), `events:dedup:other-consumer:${id}`);
  });
});
