/**
 * Expirations (seed 004 "expiration jobs"), brand by brand:
 *  - coupons still `granted` whose expires_at has passed become `expired`,
 *    each with a coupon_log row (action `expire`) in the same statement;
 *  - player deposit requests still `pending` after the brand's
 *    `pending_deposit_expire_hours` (brand_config, integer 1..8760, default
 *    DEFAULT_PENDING_DEPOSIT_EXPIRE_HOURS) become `expired`: no money has
 *    moved for a pending deposit, so closing it is not a money write. A
 *    deposit another transaction holds (an admin approve in flight, which
 *    locks the row FOR UPDATE around its wallet call) is skipped, not
 *    waited for: SKIP LOCKED leaves it to that transaction, and a deposit
 *    still pending afterwards expires on a later tick.
 * Pending withdrawals are not expired here: their funds are held, and
 * releasing them is a wallet_service money write (admin does not become a
 * second money writer).
 */
import { Injectable } from '@nestjs/common';
import type { BrandTx } from '@app/database';
import { BrandCatalog } from './brand-catalog';
import { brandSetting, positiveInt } from './brand-settings';
import type { AdminJob, JobSummary } from './job';
import { JobTransactions } from './job-transactions';
import { forEachBrand } from './per-brand';

export const DEFAULT_PENDING_DEPOSIT_EXPIRE_HOURS = 24;
export const PENDING_DEPOSIT_EXPIRE_KEY = 'pending_deposit_expire_hours';
export const EXPIRED_BY = 'admin_worker';

@Injectable()
export class ExpirationJob implements AdminJob {
  readonly name = 'expiration';

  constructor(
    private readonly transactions: JobTransactions,
    private readonly brands: BrandCatalog,
  ) {}

  async run(now: Date): Promise<JobSummary> {
    return forEachBrand(this.name, await this.brands.all(), async (brand) => ({
      brand_id: brand.id,
      ...(await this.transactions.brand(brand.id, (tx) => this.expire(tx, now))),
    }));
  }

  private async expire(tx: BrandTx, now: Date): Promise<{ coupons: number; deposits: number }> {
    const coupons = await tx.sql(
      `WITH expired AS (
         UPDATE coupon SET status = 'expired', updated_at = now()
          WHERE brand_id = $1 AND status = 'granted' AND expires_at IS NOT NULL AND expires_at <= $2
          RETURNING id, agent_id, player_id, amount
       )
       INSERT INTO coupon_log (brand_id, coupon_id, agent_id, player_id, action, amount, operator_id, remark)
       SELECT $1, e.id, e.agent_id, e.player_id, 'expire', e.amount, $3, 'expired at expires_at' FROM expired e`,
      [now, EXPIRED_BY],
    );
    const hours = await brandSetting(
      tx,
      PENDING_DEPOSIT_EXPIRE_KEY,
      positiveInt(8760),
      DEFAULT_PENDING_DEPOSIT_EXPIRE_HOURS,
    );
    const deposits = await tx.sql(
      `UPDATE player_deposit SET status = 'expired', operator_id = $3, processed_at = $2::timestamptz, updated_at = now(),
              remark = COALESCE(remark || ' / ', '') || 'expired: pending longer than ' || $4 || ' h'
        WHERE brand_id = $1 AND status = 'pending' AND id IN (
                SELECT id FROM player_deposit
                 WHERE brand_id = $1 AND status = 'pending'
                   AND created_at <= $2::timestamptz - make_interval(hours => $4::int)
                   FOR UPDATE SKIP LOCKED)`,
      [now, EXPIRED_BY, hours],
    );
    return { coupons: coupons.rowCount, deposits: deposits.rowCount };
  }
}
