// Unit tests for the DomainEvent v2 envelope builder (CONTRACTS §6).
import { buildEvent, EVENT_SCHEMA_VERSION } from './event';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('buildEvent', () => {
  const input = {
    eventType: 'PLAYER_REGISTERED',
    brandId: 3,
    aggregateType: 'player',
    aggregateId: 42,
    producer: 'player_service',
    requestId: 'req-1',
    payload: { account: 'alice' },
  };

  it('builds a schema_version 2 envelope with every contract field', () => {
    const before = Date.now();
    const event = buildEvent(input);
    expect(Object.keys(event).sort()).toEqual(
      [
        'aggregate_id',
        'aggregate_type',
        'brand_id',
        'event_id',
        'event_type',
        'occurred_at',
        'payload',
        'producer',
        'request_id',
        'schema_version',
      ].sort(),
    );
    expect(event).toMatchObject({
      event_type: 'PLAYER_REGISTERED',
      schema_version: 2,
      brand_id: 3,
      aggregate_type: 'player',
      aggregate_id: '42',
      producer: 'player_service',
      request_id: 'req-1',
      payload: { account: 'alice' },
    });
    expect(EVENT_SCHEMA_VERSION).toBe(2);
    expect(event.event_id).toMatch(UUID_V4);
    expect(new Date(event.occurred_at).toISOString()).toBe(event.occurred_at);
    expect(Date.parse(event.occurred_at)).toBeGreaterThanOrEqual(before - 1);
  });

  it('gives every event a fresh event_id', () => {
    const ids = new Set(Array.from({ length: 50 }, () => buildEvent(input).event_id));
    expect(ids.size).toBe(50);
  });

  it('records a missing request id as null', () => {
    expect(buildEvent({ ...input, requestId: undefined }).request_id).toBeNull();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses brand_id %p', (brandId) => {
    expect(() => buildEvent({ ...input, brandId })).toThrow(/brand_id/);
  });

  it('refuses an empty event type or aggregate id', () => {
    expect(() => buildEvent({ ...input, eventType: ' ' })).toThrow(/event_type/);
    expect(() => buildEvent({ ...input, aggregateId: '' })).toThrow(/aggregate_id/);
  });
});
