/**
 * Attendance processing (seed 004 "attendance processing"). The schema has
 * no attendance table, so attendance is derived from what exists: a player
 * attended a local day (ADMIN_WORKER_TIMEZONE) when player_login_log holds a
 * successful login for them that day. Brand by brand, for today and
 * yesterday, the distinct attendees are written to
 * daily_statistics.login_players (agent_id 0 = brand total, other rows per
 * agent of the player). Only that column is touched, so it composes with the
 * statistics rollup on the same rows.
 */
import { Inject, Injectable } from '@nestjs/common';
import { type BrandTx, Database } from '@app/database';
import { BrandCatalog } from './brand-catalog';
import { dayBounds, type DayBounds } from './day-bounds';
import type { AdminJob, JobSummary } from './job';
import { JobTransactions } from './job-transactions';
import { forEachBrandDay } from './per-brand';
import { recentDays } from './worker-clock';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

@Injectable()
export class AttendanceJob implements AdminJob {
  readonly name = 'attendance';

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
    return forEachBrandDay(this.name, await this.brands.all(), days, async (brand, bounds) => ({
      attendees: await this.transactions.brand(brand.id, (tx) => this.process(tx, bounds)),
    }));
  }

  private async process(tx: BrandTx, { day, start, end }: DayBounds): Promise<number> {
    const { rows } = await tx.sql<{ agent_id: string | null; n: string }>(
      `SELECT p.agent_id, count(DISTINCT l.player_id) AS n
         FROM player_login_log l JOIN player p ON p.id = l.player_id AND p.brand_id = l.brand_id
        WHERE l.brand_id = $1 AND l.success AND l.created_at >= $2 AND l.created_at < $3
        GROUP BY p.agent_id`,
      [start, end],
    );
    // One player has one agent, so the per-agent distinct counts add up to the brand's.
    const total = rows.reduce((sum, r) => sum + Number(r.n), 0);
    const perAgent = rows
      .filter((r) => r.agent_id !== null)
      .map((r) => [Number(r.agent_id), Number(r.n)] as const);
    for (const [agentId, n] of [[0, total] as const, ...perAgent]) {
      await tx.sql(
        `INSERT INTO daily_statistics (brand_id, stat_date, agent_id, login_players) VALUES ($1, $2::date, $3, $4)
         ON CONFLICT (brand_id, stat_date, agent_id) DO UPDATE SET login_players = EXCLUDED.login_players, updated_at = now()`,
        [day, agentId, n],
      );
    }
    await tx.sql(
      `UPDATE daily_statistics SET login_players = 0, updated_at = now()
        WHERE brand_id = $1 AND stat_date = $2::date AND agent_id <> 0 AND NOT (agent_id = ANY($3::bigint[]))`,
      [day, perAgent.map(([id]) => id)],
    );
    return total;
  }
}
