/**
 * The DomainEvent envelope, schema_version 2 (CONTRACTS §6, ADR-009 "Event
 * schema versioning"): every event carries brand_id at the envelope level so
 * consumers never have to guess the tenant. Producers emit only version 2.
 */
import { randomUUID } from 'node:crypto';

export const EVENT_SCHEMA_VERSION = 2;

export type OutboxTable = 'player_outbox' | 'agent_outbox';
export type OutboxStream = 'events:player' | 'events:agent';

export const OUTBOX_TABLES: readonly OutboxTable[] = ['player_outbox', 'agent_outbox'];
export const OUTBOX_STREAMS: readonly OutboxStream[] = ['events:player', 'events:agent'];

export interface DomainEvent<P = Record<string, unknown>> {
  event_id: string;
  event_type: string;
  schema_version: number;
  brand_id: number;
  aggregate_type: string;
  aggregate_id: string;
  producer: string;
  occurred_at: string;
  request_id: string | null;
  payload: P;
}

export interface BuildEventInput<P> {
  eventType: string;
  brandId: number;
  aggregateType: string;
  aggregateId: string | number;
  /** Service label, e.g. `player_service`. */
  producer: string;
  requestId?: string | null;
  payload: P;
}

export function isPositiveBrandId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function requireText(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`DomainEvent ${name} must be a non-empty string`);
  return value;
}

/** Builds a v2 envelope; refuses a missing brand so no brandless event is ever written. */
export function buildEvent<P = Record<string, unknown>>(input: BuildEventInput<P>): DomainEvent<P> {
  if (!isPositiveBrandId(input.brandId)) throw new Error('DomainEvent brand_id must be a positive integer');
  return {
    event_id: randomUUID(),
    event_type: requireText('event_type', input.eventType),
    schema_version: EVENT_SCHEMA_VERSION,
    brand_id: input.brandId,
    aggregate_type: requireText('aggregate_type', input.aggregateType),
    aggregate_id: requireText('aggregate_id', String(input.aggregateId)),
    producer: requireText('producer', input.producer),
    occurred_at: new Date().toISOString(),
    request_id: input.requestId ?? null,
    payload: input.payload,
  };
}

export function assertOutboxTable(table: string): asserts table is OutboxTable {
  if (!(OUTBOX_TABLES as readonly string[]).includes(table)) throw new Error(`unknown outbox table ${table}`);
}
