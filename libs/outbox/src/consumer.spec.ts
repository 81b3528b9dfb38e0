// Unit tests for the ADR-009 consumer policy on schema_version (CONTRACTS §11).
import { register } from 'prom-client';
import { buildEvent } from './event';
import { EventConsumerPolicy, handleIncomingEvent } from './consumer';

async function legacyCount(stream: string, consumer: string): Promise<number> {
  const metric = register.getSingleMetric('event_legacy_schema_total');
  if (!metric) return 0;
  const values = (await metric.get()).values;
  return values.find((v) => v.labels.stream === stream && v.labels.consumer === consumer)?.value ?? 0;
}

const v2 = buildEvent({
  eventType: 'PLAYER_REGISTERED',
  brandId: 7,
  aggregateType: 'player',
  aggregateId: '1',
  producer: 'player_service',
  requestId: 'r',
  payload: {},
});
const v1 = { event_id: 'e1', event_type: 'PLAYER_REGISTERED', schema_version: 1, payload: {} };

describe('handleIncomingEvent', () => {
  const base = { stream: 'events:player', defaultBrandId: 1 };

  it.each(['off', 'observe', 'enforce'] as const)(
    'takes the envelope brand of a v2 event in %s mode',
    async (mode) => {
      const consumer = `c-v2-${mode}`;
      const decision = handleIncomingEvent(JSON.stringify(v2), { ...base, mode, consumer });
      expect(decision).toEqual({ accept: true, brandId: 7, event: v2, legacy: false });
      expect(await legacyCount(base.stream, consumer)).toBe(0);
    },
  );

  it.each([0, -2, '7', null, 1.5])('rejects a v2 event whose brand_id is %p', (brandId) => {
    const decision = handleIncomingEvent(
      { ...v2, brand_id: brandId },
      { ...base, mode: 'observe', consumer: 'c' },
    );
    expect(decision).toEqual({ accept: false, reason: 'invalid_brand_id', eventId: v2.event_id });
  });

  it('takes a v1 event as the default brand without counting in off mode', async () => {
    const decision = handleIncomingEvent(JSON.stringify(v1), { ...base, mode: 'off', consumer: 'c-off' });
    expect(decision).toMatchObject({
      accept: true,
      brandId: 1,
      legacy: true,
      event: { event_id: 'e1', brand_id: 1 },
    });
    expect(await legacyCount(base.stream, 'c-off')).toBe(0);
  });

  it('takes a v1 event as the default brand and counts it in observe mode', async () => {
    const warn = jest.fn();
    const logger = { log: jest.fn(), warn, error: jest.fn() };
    const decision = handleIncomingEvent(Buffer.from(JSON.stringify(v1)), {
      ...base,
      mode: 'observe',
      consumer: 'c-observe',
      logger,
    });
    expect(decision).toMatchObject({ accept: true, brandId: 1, legacy: true });
    expect(await legacyCount(base.stream, 'c-observe')).toBe(1);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ reason: 'event_legacy_schema', brand_id: 1 }),
    );
  });

  it('rejects a v1 event to supervision and counts it in enforce mode', async () => {
    const decision = handleIncomingEvent(v1, { ...base, mode: 'enforce', consumer: 'c-enforce' });
    expect(decision).toEqual({ accept: false, reason: 'legacy_schema_rejected', eventId: 'e1' });
    expect(await legacyCount(base.stream, 'c-enforce')).toBe(1);
  });

  it('treats an envelope without schema_version as legacy v1', async () => {
    const { schema_version: _drop, ...unversioned } = v1;
    const decision = handleIncomingEvent(unversioned, {
      ...base,
      mode: 'enforce',
      consumer: 'c-unversioned',
    });
    expect(decision).toEqual({ accept: false, reason: 'legacy_schema_rejected', eventId: 'e1' });
  });

  it('rejects malformed input', () => {
    const options = { ...base, mode: 'observe' as const, consumer: 'c' };
    expect(handleIncomingEvent('{not json', options)).toEqual({ accept: false, reason: 'malformed_json' });
    expect(handleIncomingEvent('[1]', options)).toEqual({ accept: false, reason: 'malformed_json' });
    expect(handleIncomingEvent({ event_type: 'X', schema_version: 2, brand_id: 1 }, options)).toMatchObject({
      accept: false,
      reason: 'malformed_envelope',
    });
    expect(handleIncomingEvent({ ...v2, schema_version: 'two' }, options)).toMatchObject({
      accept: false,
      reason: 'unsupported_schema_version',
    });
  });
});

describe('EventConsumerPolicy', () => {
  it('binds the options once', () => {
    const policy = new EventConsumerPolicy({
      mode: 'enforce',
      stream: 'events:agent',
      consumer: 'p',
      defaultBrandId: 1,
    });
    expect(policy.handle(v2)).toMatchObject({ accept: true, brandId: 7 });
    expect(policy.handle(v1)).toMatchObject({ accept: false, reason: 'legacy_schema_rejected' });
  });

  it('refuses a non-positive default brand', () => {
    expect(
      () => new EventConsumerPolicy({ mode: 'off', stream: 's', consumer: 'p', defaultBrandId: 0 }),
    ).toThrow();
  });
});
