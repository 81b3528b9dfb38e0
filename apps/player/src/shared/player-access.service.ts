/**
 * Loads the authenticated player under the request brand (ADR-009 "internal
 * player routes require X-Brand-Id; mismatch behavior is gated by
 * MULTI_BRAND_ENFORCEMENT"; CONTRACTS §11 row "player internal: X-Brand-Id ≠
 * the row's brand"):
 * - the row is looked up inside the request brand first (the common path);
 * - when it is not there, one cross-brand read of the id's brand tells a
 *   mismatch from a missing player: enforce → 51; observe → counted
 *   (`brand_resolution_failed_total{reason="player_brand_mismatch"}`) and the
 *   request brand is kept, so the player is not found → status 3; off → the
 *   request proceeds under the row's own brand (pre-ADR behaviour).
 * A row whose account differs from the token's, or that is not enabled,
 * answers 3 as well: the gateway's identity no longer describes a usable
 * account.
 */
import { Injectable } from '@nestjs/common';
import { BrandEnforcement } from '@app/brand-context';
import { asBrandId, type BrandTx, Database, Player } from '@app/database';
import { AuthRequiredError } from '@app/http';
import type { PlayerIdentity } from './request-info';

export interface CurrentPlayer {
  player: Player;
  brandId: number;
}

@Injectable()
export class PlayerAccessService {
  constructor(
    private readonly db: Database,
    private readonly enforcement: BrandEnforcement,
  ) {}

  /**
   * Runs `fn` in a brand transaction with the current player's row (locked
   * FOR UPDATE when `lock`). The request brand is tried first; only a miss
   * pays for the cross-brand mismatch check.
   */
  async withPlayer<R>(
    identity: PlayerIdentity,
    requestBrandId: number,
    fn: (tx: BrandTx, current: CurrentPlayer) => Promise<R>,
    options: { lock?: boolean } = {},
  ): Promise<R> {
    const attempt = (brandId: number) =>
      this.db.brandTransaction(asBrandId(brandId), async (tx) => {
        const player = await tx.repo(Player).findOne(
          { id: identity.playerId },
          options.lock ? { lock: { mode: 'pessimistic_write' } } : {},
        );
        if (!player) return { found: false as const };
        if (player.account !== identity.account || player.status !== 'enabled') throw new AuthRequiredError();
        return { found: true as const, result: await fn(tx, { player, brandId }) };
      });
    const first = await attempt(requestBrandId);
    if (first.found) return first.result;
    const brandId = await this.mismatchBrand(identity, requestBrandId);
    const second = await attempt(brandId);
    if (!second.found) throw new AuthRequiredError();
    return second.result;
  }

  /** The player is not in the request brand: decide per mode; returns the brand to retry under or throws. */
  private async mismatchBrand(identity: PlayerIdentity, requestBrandId: number): Promise<number> {
    const { rows } = await this.db.crossBrandSql<{ brand_id: number }>(
      'player identity: brand of a player id missing from the request brand (X-Brand-Id mismatch check)',
      'SELECT brand_id FROM player WHERE id = $1',
      [identity.playerId],
    );
    const rowBrand = rows[0]?.brand_id ?? null;
    if (rowBrand === null || rowBrand === requestBrandId) throw new AuthRequiredError();
    const verdict = this.enforcement.mismatch('player_brand_mismatch', {
      brandId: requestBrandId,
      expectedBrandId: requestBrandId,
      actualBrandId: rowBrand,
      player_id: identity.playerId,
    });
    // off: pre-ADR behaviour, the row's own brand; observe: the request brand, where the player does not exist.
    if (verdict === 'pass') return rowBrand;
    throw new AuthRequiredError();
  }
}
