/**
 * Player-domain outbox events (seed 000 "Emits: PLAYER_REGISTERED";
 * ADR-009 "player-owned outbox events include brand_id"; CONTRACTS §6):
 * written to `player_outbox` through the caller's brand transaction, so an
 * event exists exactly when its state change committed. Payloads name what
 * changed, never a password, phone or bank number.
 */
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_NAME } from '@app/config';
import type { BrandTx } from '@app/database';
import { currentRequestId } from '@app/observability';
import { buildEvent, OutboxWriter } from '@app/outbox';

export type PlayerEventType = 'PLAYER_REGISTERED' | 'PLAYER_PASSWORD_CHANGED' | 'PLAYER_PROFILE_CHANGED';

@Injectable()
export class PlayerEvents {
  private readonly writer = new OutboxWriter();

  constructor(@Inject(SERVICE_NAME) private readonly producer: string) {}

  async emit(tx: BrandTx, type: PlayerEventType, playerId: number, payload: Record<string, unknown>): Promise<string> {
    const event = buildEvent({
      eventType: type,
      brandId: tx.brandId,
      aggregateType: 'player',
      aggregateId: playerId,
      producer: this.producer,
      requestId: currentRequestId(),
      // brand_id in the payload too (seed 000 / ADR-009 "outbox events include brand_id in payload"), not only in the envelope.
      payload: { player_id: playerId, brand_id: tx.brandId, ...payload },
    });
    await this.writer.write(tx.manager, 'player_outbox', event);
    return event.event_id;
  }
}
