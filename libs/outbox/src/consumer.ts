/**
 * Consumer-side handling of stream events (ADR-009 "Event schema versioning
 * across the brand_id rollout", CONTRACTS §6/§11):
 * - schema_version ≥ 2: the brand is the envelope's brand_id, which must be a
 *   positive integer (anything else is malformed and rejected);
 * - schema_version 1 (or an envelope from before versioning, with none):
 *   off → the default brand; observe → the default brand, counted in
 *   event_legacy_schema_total{stream,consumer}; enforce → counted and rejected
 *   so the caller surfaces it to supervision instead of guessing a tenant.
 * Delivery is at-least-once, so consumers also dedup on event_id (EventDeduper).
 */
import type { Redis } from 'ioredis';
import type { EnforcementMode } from '@app/config';
import { Metrics } from '@app/observability';
import { isPositiveBrandId, type DomainEvent } from './event';
import type { OutboxLogger } from './poller';

export interface ConsumerPolicyOptions {
  mode: EnforcementMode;
  stream: string;
  consumer: string;
  /** The brand that legacy (v1) events belong to: the `default` brand's id. */
  defaultBrandId: number;
  logger?: OutboxLogger;
}

export type IncomingEventDecision =
  | { accept: true; brandId: number; event: DomainEvent<unknown>; legacy: boolean }
  | { accept: false; reason: IncomingEventRejection; eventId?: string };

export type IncomingEventRejection =
  | 'malformed_json'
  | 'malformed_envelope'
  | 'invalid_brand_id'
  | 'unsupported_schema_version'
  | 'legacy_schema_rejected';

function parse(raw: unknown): Record<string, unknown> | null {
  let value = raw;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function handleIncomingEvent(raw: unknown, options: ConsumerPolicyOptions): IncomingEventDecision {
  const envelope = parse(raw);
  if (!envelope) return { accept: false, reason: 'malformed_json' };
  const eventId =
    typeof envelope.event_id === 'string' && envelope.event_id !== '' ? envelope.event_id : undefined;
  if (!eventId || typeof envelope.event_type !== 'string')
    return { accept: false, reason: 'malformed_envelope', eventId };

  const version = envelope.schema_version ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { accept: false, reason: 'unsupported_schema_version', eventId };
  }

  if (version >= 2) {
    if (!isPositiveBrandId(envelope.brand_id)) return { accept: false, reason: 'invalid_brand_id', eventId };
    return {
      accept: true,
      brandId: envelope.brand_id,
      event: envelope as unknown as DomainEvent<unknown>,
      legacy: false,
    };
  }

  const { mode, stream, consumer, defaultBrandId, logger } = options;
  if (mode !== 'off') {
    Metrics.eventLegacySchema().inc({ stream, consumer });
    logger?.warn({
      msg: 'legacy schema_version 1 event',
      reason: 'event_legacy_schema',
      service: consumer,
      stream,
      event_id: eventId,
      brand_id: mode === 'enforce' ? null : defaultBrandId,
      request_id: typeof envelope.request_id === 'string' ? envelope.request_id : null,
      action: mode === 'enforce' ? 'rejected' : 'default_brand',
    });
  }
  if (mode === 'enforce') return { accept: false, reason: 'legacy_schema_rejected', eventId };
  const event = { ...envelope, brand_id: defaultBrandId } as unknown as DomainEvent<unknown>;
  return { accept: true, brandId: defaultBrandId, event, legacy: true };
}

/** The same policy bound to one consumer's settings. */
export class EventConsumerPolicy {
  constructor(private readonly options: ConsumerPolicyOptions) {
    if (!isPositiveBrandId(options.defaultBrandId))
      throw new Error('defaultBrandId must be a positive integer');
  }

  handle(raw: unknown): IncomingEventDecision {
    return handleIncomingEvent(raw, this.options);
  }
}

/**
 * At-least-once dedup: the first consumer to SET NX `events:dedup:<consumer>:<event_id>`
 * processes the event; redeliveries within the TTL are skipped. Release the
 * mark when processing fails so the redelivery is handled.
 */
export class EventDeduper {
  constructor(
    private readonly redis: Redis,
    private readonly consumer: string,
    private readonly ttlSeconds = 7 * 24 * 3600,
  ) {
    if (!consumer) throw new Error('consumer name is required');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)
      throw new Error('ttlSeconds must be a positive integer');
  }

  key(eventId: string): string {
    return `events:dedup:${this.consumer}:${eventId}`;
  }

  /** True when this is the first sighting of the event (the caller should process it). */
  async claim(eventId: string): Promise<boolean> {
    const reply = await this.redis.set(this.key(eventId), '1', 'EX', this.ttlSeconds, 'NX');
    return reply === 'OK';
  }

  async release(eventId: string): Promise<void> {
    await this.redis.del(this.key(eventId));
  }
}
