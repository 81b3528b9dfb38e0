/**
 * agent-domain outbox events (seed 001 "Events", CONTRACTS §6): written to
 * `agent_outbox` through the caller's brand transaction, so an event commits
 * or rolls back with the state change it describes; envelope schema_version
 * 2 with the request brand, which the payload carries too (ADR-009 "Outbox
 * events and cross-service messages carry brand_id in the payload").
 * agent-worker publishes them to `events:agent`.
 */
import { Injectable } from '@nestjs/common';
import type { BrandTx } from '@app/database';
import { currentRequestId } from '@app/observability';
import { buildEvent, OutboxWriter } from '@app/outbox';

export const AGENT_PRODUCER = 'agent_service';

export const AgentEventType = {
  WITHDRAW_REQUESTED: 'AGENT_WITHDRAW_REQUESTED',
  COUPON_GRANTED: 'AGENT_COUPON_GRANTED',
  COUPON_RECYCLED: 'AGENT_COUPON_RECYCLED',
  SUB_COMMISSION_CHANGED: 'AGENT_SUB_COMMISSION_CHANGED',
  PROVIDER_PERCENTAGE_CHANGED: 'AGENT_PROVIDER_PERCENTAGE_CHANGED',
  PASSWORD_CHANGED: 'AGENT_PASSWORD_CHANGED',
  PHONE_CHANGED: 'AGENT_PHONE_CHANGED',
  BANK_CHANGED: 'AGENT_BANK_CHANGED',
} as const;

export type AgentEventTypeName = (typeof AgentEventType)[keyof typeof AgentEventType];

@Injectable()
export class AgentEvents {
  private readonly writer = new OutboxWriter();

  async emit(
    tx: BrandTx,
    eventType: AgentEventTypeName,
    aggregate: { type: string; id: string | number },
    payload: Record<string, unknown>,
  ): Promise<string> {
    const event = buildEvent({
      eventType,
      brandId: tx.brandId,
      aggregateType: aggregate.type,
      aggregateId: aggregate.id,
      producer: AGENT_PRODUCER,
      requestId: currentRequestId(),
      // The transaction's brand, whatever the caller's payload says.
      payload: { ...payload, brand_id: tx.brandId },
    });
    await this.writer.write(tx.manager, 'agent_outbox', event);
    return event.event_id;
  }
}
