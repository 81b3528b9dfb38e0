/**
 * The player side of the shared recovery flow (@app/recovery; seed 000
 * multi-brand recovery): accounts are found by the keyed contact digest
 * inside the brand, a subject "belongs" to a brand when its row is in that
 * brand (players are per brand; ids are global, so a token's `sub` found
 * in another brand is a mismatch), the new password is written with a
 * PLAYER_PASSWORD_CHANGED event, and the brand session key is deleted, all
 * in the reset's transaction.
 */
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type PlayerConfig } from '@app/config';
import { asBrandId, type BrandTx, Database, Player } from '@app/database';
import { type Contact, contactLookupHash, type RecoveryPorts, RecoveryService } from '@app/recovery';
import { PlayerEvents } from '../shared/player-events';
import { SessionStore } from '../shared/session.store';

function playerId(subjectId: string): number | null {
  return /^[0-9]{1,15}$/.test(subjectId) && Number(subjectId) > 0 ? Number(subjectId) : null;
}

@Injectable()
export class PlayerRecoveryPorts implements RecoveryPorts<BrandTx> {
  constructor(
    @Inject(APP_CONFIG) private readonly config: PlayerConfig,
    private readonly db: Database,
    private readonly sessions: SessionStore,
    private readonly events: PlayerEvents,
  ) {}

  transaction<T>(brandId: number, fn: (tx: BrandTx) => Promise<T>): Promise<T> {
    return this.db.brandTransaction(asBrandId(brandId), fn);
  }

  async findByContact(tx: BrandTx, _brandId: number, contact: Contact): Promise<{ id: string } | null> {
    const digest = contactLookupHash(contact.value, this.config.PASSWORD_SALT ?? '');
    const where = contact.kind === 'phone' ? { phoneHash: digest } : { emailHash: digest };
    const [row] = await tx.repo(Player).find(where, { select: { id: true }, order: { id: 'ASC' }, take: 1 });
    return row ? { id: String(row.id) } : null;
  }

  async belongsToBrand(tx: BrandTx, _brandId: number, subjectId: string): Promise<boolean> {
    const id = playerId(subjectId);
    return id !== null && (await tx.repo(Player).count({ id })) > 0;
  }

  async updatePassword(tx: BrandTx, _brandId: number, subjectId: string, passwordHash: string): Promise<void> {
    const id = playerId(subjectId) as number;
    await tx.repo(Player).update({ id }, { passwordHash });
    await this.events.emit(tx, 'PLAYER_PASSWORD_CHANGED', id, { source: 'recovery', sessions_revoked: true });
  }

  async revokeSessions(tx: BrandTx, brandId: number, subjectId: string): Promise<void> {
    const player = await tx.repo(Player).findOne({ id: playerId(subjectId) as number }, { select: { id: true, account: true } });
    if (player) await this.sessions.revokeAll(brandId, player.account);
  }
}

export const PLAYER_RECOVERY = Symbol('PLAYER_RECOVERY');

/** Lets code deliveries still in flight finish before the process exits. */
@Injectable()
export class RecoveryDrain implements BeforeApplicationShutdown {
  constructor(@Inject(PLAYER_RECOVERY) private readonly recovery: RecoveryService<BrandTx>) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.recovery.drain();
  }
}
