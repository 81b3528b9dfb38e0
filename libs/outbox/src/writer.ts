/**
 * Transactional outbox writer (seeds 000/001 "player-/agent-owned outbox rows",
 * CONTRACTS §6): the row is inserted through the caller's EntityManager so it
 * commits or rolls back with the state change; the poller publishes it later.
 */
import type { EntityManager } from 'typeorm';
import {
  assertOutboxTable,
  EVENT_SCHEMA_VERSION,
  isPositiveBrandId,
  type DomainEvent,
  type OutboxTable,
} from './event';
import { assertInTransaction } from './transaction';

export class OutboxWriter {
  async write(manager: EntityManager, table: OutboxTable, event: DomainEvent<unknown>): Promise<void> {
    assertOutboxTable(table);
    assertInTransaction(manager, 'OutboxWriter.write');
    if (!isPositiveBrandId(event.brand_id))
      throw new Error('outbox event brand_id must be a positive integer');
    if (event.schema_version !== EVENT_SCHEMA_VERSION)
      throw new Error('outbox events must use schema_version 2');
    await manager.query(
      `INSERT INTO ${table} (brand_id, event_id, event_type, aggregate_type, aggregate_id, envelope)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [
        event.brand_id,
        event.event_id,
        event.event_type,
        event.aggregate_type,
        event.aggregate_id,
        JSON.stringify(event),
      ],
    );
  }
}
