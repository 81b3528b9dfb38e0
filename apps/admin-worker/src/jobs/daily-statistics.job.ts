/**
 * Daily statistics rollup (seed 004 "statistics jobs"), brand by brand:
 * for today and yesterday in ADMIN_WORKER_TIMEZONE it recomputes, into
 * daily_statistics, registrations (player.created_at), approved deposits
 * (count / amount by processed_at), paid player withdrawals (by paid_at) and
 * paid agent withdrawals (by processed_at) — agent_id 0 is the brand total,
 * other rows one agent's share (the agent of the player, or the withdrawing
 * agent). Rows are upserted, so a rerun gives the same numbers; agents that
 * no longer have activity that day get these columns zeroed (the row may
 * still hold attendance counts, owned by the attendance job).
 * Coupon totals are not rolled up: daily_statistics has no coupon columns.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type BrandTx, Database } from '@app/database';
import { BrandCatalog } from './brand-catalog';
import { dayBounds, type DayBounds } from './day-bounds';
import type { AdminJob, JobSummary } from './job';
import { JobTransactions } from './job-transactions';
import { fromCents, toCents } from './money';
import { forEachBrandDay } from './per-brand';
import { recentDays } from './worker-clock';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

interface Share {
  registrations: number;
  deposit_count: number;
  deposit_amount: bigint;
  withdraw_count: number;
  withdraw_amount: bigint;
  agent_withdraw_count: number;
  agent_withdraw_amount: bigint;
}

const empty = (): Share => ({
  registrations: 0,
  deposit_count: 0,
  deposit_amount: 0n,
  withdraw_count: 0,
  withdraw_amount: 0n,
  agent_withdraw_count: 0,
  agent_withdraw_amount: 0n,
});

type Row = { agent_id: string | null; n: string; amount?: string };

const totals = (total: Share) => ({
  registrations: total.registrations,
  deposit_count: total.deposit_count,
  deposit_amount: fromCents(total.deposit_amount),
  withdraw_count: total.withdraw_count,
  withdraw_amount: fromCents(total.withdraw_amount),
  agent_withdraw_count: total.agent_withdraw_count,
  agent_withdraw_amount: fromCents(total.agent_withdraw_amount),
});

@Injectable()
export class DailyStatisticsJob implements AdminJob {
  readonly name = 'daily_statistics';

  constructor(
    private readonly db: Database,
    private readonly transactions: JobTransactions,
    private readonly brands: BrandCatalog,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  async run(now: Date): Promise<JobSummary> {
    const days = await Promise.all(
      recentDays(now, this.options.timeZone).map((d) => dayBounds(this.db, d, this.options.timeZone)),
    );
    return forEachBrandDay(this.name, await this.brands.all(), days, async (brand, bounds) =>
      totals(await this.transactions.brand(brand.id, (tx) => this.rollup(tx, bounds))),
    );
  }

  private async rollup(tx: BrandTx, { day, start, end }: DayBounds): Promise<Share> {
    const shares = new Map<number, Share>();
    const total = empty();
    const add = (agentId: string | null, apply: (s: Share) => void) => {
      apply(total);
      if (agentId === null) return;
      const id = Number(agentId);
      if (!shares.has(id)) shares.set(id, empty());
      apply(shares.get(id) as Share);
    };

    const registrations = await tx.sql<Row>(
      `SELECT agent_id, count(*) AS n FROM player
        WHERE brand_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY agent_id`,
      [start, end],
    );
    for (const r of registrations.rows) add(r.agent_id, (s) => (s.registrations += Number(r.n)));

    const deposits = await tx.sql<Row>(
      `SELECT p.agent_id, count(*) AS n, COALESCE(sum(d.amount), 0) AS amount
         FROM player_deposit d JOIN player p ON p.id = d.player_id AND p.brand_id = d.brand_id
        WHERE d.brand_id = $1 AND d.status = 'approved'
          AND COALESCE(d.processed_at, d.updated_at) >= $2 AND COALESCE(d.processed_at, d.updated_at) < $3
        GROUP BY p.agent_id`,
      [start, end],
    );
    for (const r of deposits.rows) {
      add(r.agent_id, (s) => {
        s.deposit_count += Number(r.n);
        s.deposit_amount += toCents(r.amount);
      });
    }

    const withdrawals = await tx.sql<Row>(
      `SELECT p.agent_id, count(*) AS n, COALESCE(sum(w.amount), 0) AS amount
         FROM player_withdraw w JOIN player p ON p.id = w.player_id AND p.brand_id = w.brand_id
        WHERE w.brand_id = $1 AND w.status = 'paid'
          AND COALESCE(w.paid_at, w.updated_at) >= $2 AND COALESCE(w.paid_at, w.updated_at) < $3
        GROUP BY p.agent_id`,
      [start, end],
    );
    for (const r of withdrawals.rows) {
      add(r.agent_id, (s) => {
        s.withdraw_count += Number(r.n);
        s.withdraw_amount += toCents(r.amount);
      });
    }

    const agentWithdrawals = await tx.sql<Row>(
      `SELECT agent_id, count(*) AS n, COALESCE(sum(amount), 0) AS amount FROM agent_withdraw
        WHERE brand_id = $1 AND status = 'paid'
          AND COALESCE(processed_at, updated_at) >= $2 AND COALESCE(processed_at, updated_at) < $3
        GROUP BY agent_id`,
      [start, end],
    );
    for (const r of agentWithdrawals.rows) {
      add(r.agent_id, (s) => {
        s.agent_withdraw_count += Number(r.n);
        s.agent_withdraw_amount += toCents(r.amount);
      });
    }

    for (const [agentId, share] of [[0, total] as const, ...shares.entries()]) {
      await tx.sql(
        `INSERT INTO daily_statistics (brand_id, stat_date, agent_id, registrations, deposit_count, deposit_amount,
                                       withdraw_count, withdraw_amount, agent_withdraw_count, agent_withdraw_amount)
         VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (brand_id, stat_date, agent_id) DO UPDATE SET
           registrations = EXCLUDED.registrations, deposit_count = EXCLUDED.deposit_count,
           deposit_amount = EXCLUDED.deposit_amount, withdraw_count = EXCLUDED.withdraw_count,
           withdraw_amount = EXCLUDED.withdraw_amount, agent_withdraw_count = EXCLUDED.agent_withdraw_count,
           agent_withdraw_amount = EXCLUDED.agent_withdraw_amount, updated_at = now()`,
        [
          day,
          agentId,
          share.registrations,
          share.deposit_count,
          fromCents(share.deposit_amount),
          share.withdraw_count,
          fromCents(share.withdraw_amount),
          share.agent_withdraw_count,
          fromCents(share.agent_withdraw_amount),
        ],
      );
    }
    await tx.sql(
      `UPDATE daily_statistics SET registrations = 0, deposit_count = 0, deposit_amount = 0, withdraw_count = 0,
              withdraw_amount = 0, agent_withdraw_count = 0, agent_withdraw_amount = 0, updated_at = now()
        WHERE brand_id = $1 AND stat_date = $2::date AND agent_id <> 0 AND NOT (agent_id = ANY($3::bigint[]))`,
      [day, [...shares.keys()]],
    );
    return total;
  }
}
