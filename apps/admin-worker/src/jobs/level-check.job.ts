/**
 * Level checks (seed 004 "level checks"), brand by brand: a player's level
 * follows the sum of their approved deposits in that brand. Thresholds come
 * from brand_config `level_thresholds` — a JSON array of
 * `{"level": <int 1..99>, "min_deposit": <number >= 0>}` — else from
 * DEFAULT_LEVEL_THRESHOLDS. The check only raises levels: an operator may
 * have set a higher level by hand, and demotion is an operator decision.
 */
import { Injectable } from '@nestjs/common';
import type { BrandTx } from '@app/database';
import { BrandCatalog } from './brand-catalog';
import { brandSetting } from './brand-settings';
import type { AdminJob, JobSummary } from './job';
import { JobTransactions } from './job-transactions';
import { forEachBrand } from './per-brand';

export interface LevelThreshold {
  level: number;
  min_deposit: number;
}

/** Lifetime approved deposits (brand currency units) needed for each level. */
export const DEFAULT_LEVEL_THRESHOLDS: readonly LevelThreshold[] = Object.freeze([
  { level: 1, min_deposit: 0 },
  { level: 2, min_deposit: 100_000 },
  { level: 3, min_deposit: 500_000 },
  { level: 4, min_deposit: 1_000_000 },
  { level: 5, min_deposit: 5_000_000 },
]);

export const LEVEL_THRESHOLDS_KEY = 'level_thresholds';

export function parseLevelThresholds(value: unknown): LevelThreshold[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > 99) return null;
  const out: LevelThreshold[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) return null;
    const { level, min_deposit } = item as Record<string, unknown>;
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 1 || level > 99) return null;
    if (typeof min_deposit !== 'number' || !Number.isFinite(min_deposit) || min_deposit < 0) return null;
    out.push({ level, min_deposit });
  }
  return out.sort((a, b) => a.level - b.level);
}

@Injectable()
export class LevelCheckJob implements AdminJob {
  readonly name = 'level_check';

  constructor(
    private readonly transactions: JobTransactions,
    private readonly brands: BrandCatalog,
  ) {}

  async run(_now: Date): Promise<JobSummary> {
    return forEachBrand(this.name, await this.brands.all(), async (brand) => ({
      brand_id: brand.id,
      raised: await this.transactions.brand(brand.id, (tx) => this.check(tx)),
    }));
  }

  private async check(tx: BrandTx): Promise<number> {
    const thresholds = await brandSetting(tx, LEVEL_THRESHOLDS_KEY, parseLevelThresholds, [
      ...DEFAULT_LEVEL_THRESHOLDS,
    ]);
    const { rowCount } = await tx.sql(
      `WITH totals AS (
         SELECT d.player_id, sum(d.amount) AS total FROM player_deposit d
          WHERE d.brand_id = $1 AND d.status = 'approved' GROUP BY d.player_id
       ), targets AS (
         SELECT t.player_id,
                (SELECT max(l.lvl) FROM unnest($2::int[], $3::numeric[]) AS l(lvl, min_total) WHERE l.min_total <= t.total) AS new_level
           FROM totals t
       )
       UPDATE player p SET level = x.new_level, updated_at = now()
         FROM targets x
        WHERE p.brand_id = $1 AND p.id = x.player_id AND x.new_level > p.level`,
      [thresholds.map((t) => t.level), thresholds.map((t) => t.min_deposit)],
    );
    return rowCount;
  }
}
