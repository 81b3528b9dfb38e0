// Outbox rows commit with the state change they describe, or not at all (CONTRACTS §6, seeds 000/001).
import { OutboxPoller, OutboxWriter, TransactionRequiredError } from '@app/outbox';
import { event, silentLogger, startHarness, streamEvents, type Harness } from './harness';

const LABEL = 'outbox-writer';

describe('OutboxWriter', () => {
  let h: Harness;
  const writer = new OutboxWriter();

  beforeAll(async () => {
    h = await startHarness(LABEL);
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.redis.del('events:agent');
    await h.dataSource.query('TRUNCATE agent_outbox');
  });

  const poller = () =>
    new OutboxPoller({
      dataSource: h.dataSource,
      redis: h.redis,
      table: 'agent_outbox',
      stream: 'events:agent',
      service: 'agent_worker',
      workerId: 'writer-suite',
      batchSize: 50,
      pollIntervalMs: 50,
      leaseSeconds: 30,
      maxAttempts: 3,
      logger: silentLogger(),
    });

  it('stores the whole envelope with its brand in the caller transaction', async () => {
    const e = event(4, 1);
    await h.dataSource.transaction((m) => writer.write(m, 'agent_outbox', e));
    const rows = await h.dataSource.query(
      'SELECT event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, status, attempts FROM agent_outbox',
    );
    expect(rows).toEqual([
      {
        event_id: e.event_id,
        brand_id: 4,
        event_type: 'PLAYER_REGISTERED',
        aggregate_type: 'player',
        aggregate_id: '1',
        envelope: e,
        status: 'pending',
        attempts: 0,
      },
    ]);
  });

  it('never publishes an event whose transaction rolled back', async () => {
    const lost = event(1, 1);
    const kept = event(1, 2);
    await expect(
      h.dataSource.transaction(async (m) => {
        await writer.write(m, 'agent_outbox', lost);
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    await h.dataSource.transaction((m) => writer.write(m, 'agent_outbox', kept));

    const result = await poller().runOnce();
    expect(result).toMatchObject({ claimed: 1, published: 1 });
    const published = await streamEvents(h.redis, 'events:agent');
    expect(published.map((p) => p.event.event_id)).toEqual([kept.event_id]);
    expect(await h.dataSource.query('SELECT count(*)::int AS n FROM agent_outbox')).toEqual([{ n: 1 }]);
  });

  it('refuses to write outside a transaction', async () => {
    await expect(writer.write(h.dataSource.manager, 'agent_outbox', event(1, 1))).rejects.toBeInstanceOf(
      TransactionRequiredError,
    );
    const runner = h.dataSource.createQueryRunner();
    try {
      await expect(writer.write(runner.manager, 'agent_outbox', event(1, 2))).rejects.toBeInstanceOf(
        TransactionRequiredError,
      );
    } finally {
      await runner.release();
    }
    expect(await h.dataSource.query('SELECT count(*)::int AS n FROM agent_outbox')).toEqual([{ n: 0 }]);
  });

  it('refuses an unknown table and a brandless or v1 envelope', async () => {
    await h.dataSource.transaction(async (m) => {
      await expect(writer.write(m, 'player; DROP TABLE x' as never, event(1, 1))).rejects.toThrow(
        /unknown outbox table/,
      );
      await expect(writer.write(m, 'agent_outbox', { ...event(1, 1), brand_id: 0 })).rejects.toThrow(
        /brand_id/,
      );
      await expect(writer.write(m, 'agent_outbox', { ...event(1, 1), schema_version: 1 })).rejects.toThrow(
        /schema_version/,
      );
    });
    expect(await h.dataSource.query('SELECT count(*)::int AS n FROM agent_outbox')).toEqual([{ n: 0 }]);
  });
});
