/**
 * Brand isolation for the jobs (seed 004 "Background Work"; ADR-009: work
 * is pinned to one brand at a time). `forEachBrand` runs every brand's step
 * even when an earlier brand's throws, so a broken row, a held lock or a bad
 * config in one brand cannot freeze the bookkeeping of the others. A brand's
 * failure is logged with the job, the brand id and the error message only
 * (never statement parameters or rows) and recorded in the summary as
 * `{brand_id, error}`; after the last brand the run throws one
 * BrandFailuresError naming the failed brands, so the JobRunner records the
 * run as failed and /health shows it, while the other brands' work stays
 * committed.
 */
import { Logger } from '@nestjs/common';
import type { CatalogBrand } from './brand-catalog';
import type { DayBounds } from './day-bounds';
import type { BrandResult, JobSummary } from './job';

const logger = new Logger('AdminWorkerJobs');

export interface BrandFailure {
  brand_id: number;
  error: string;
}

/** The run failed for some brands; `summary` holds what every brand did (or its error). */
export class BrandFailuresError extends Error {
  constructor(
    readonly job: string,
    readonly failures: readonly BrandFailure[],
    readonly summary: JobSummary,
  ) {
    const list = failures.map((f) => `brand ${f.brand_id}: ${f.error}`).join('; ');
    super(`${job} failed for ${failures.length} brand(s) (${list})`);
    this.name = 'BrandFailuresError';
  }
}

/**
 * Runs `step` for each brand in order and returns `summarize(results)`; a
 * step returns one result or several (one per day, say). Throws
 * BrandFailuresError after the loop when any brand failed.
 */
export async function forEachBrand(
  job: string,
  brands: readonly CatalogBrand[],
  step: (brand: CatalogBrand) => Promise<BrandResult | BrandResult[]>,
  summarize: (results: BrandResult[]) => JobSummary = (results) => ({ brands: results }),
): Promise<JobSummary> {
  const results: BrandResult[] = [];
  const failures: BrandFailure[] = [];
  for (const brand of brands) {
    try {
      const result = await step(brand);
      results.push(...(Array.isArray(result) ? result : [result]));
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      logger.warn({ job, brand_id: brand.id, err: error }, 'admin worker job failed for a brand');
      failures.push({ brand_id: brand.id, error });
      results.push({ brand_id: brand.id, error });
    }
  }
  const summary = summarize(results);
  if (failures.length > 0) throw new BrandFailuresError(job, failures, summary);
  return summary;
}

/**
 * forEachBrand over local days: one step per brand and day, days in the order
 * given, each result tagged with its brand and day; a brand's failure skips
 * its later days. The summary lists the days and every result.
 */
export function forEachBrandDay(
  job: string,
  brands: readonly CatalogBrand[],
  days: readonly DayBounds[],
  step: (brand: CatalogBrand, bounds: DayBounds) => Promise<Record<string, unknown>>,
): Promise<JobSummary> {
  return forEachBrand(
    job,
    brands,
    async (brand) => {
      const results: BrandResult[] = [];
      for (const bounds of days)
        results.push({ brand_id: brand.id, day: bounds.day, ...(await step(brand, bounds)) });
      return results;
    },
    (results) => ({ days: days.map((d) => d.day), brands: results }),
  );
}
