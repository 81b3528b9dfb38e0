/**
 * What every admin_worker job is (seed 004 "Background Work"): a plain
 * injectable with `run(now)`, so tests and operators can drive it directly,
 * and the scheduler only decides when. Jobs work brand by brand (ADR-009:
 * every brand-scoped statement is pinned to one brand) and return a small
 * summary that /health shows as the job's last result.
 */
export interface AdminJob {
  /** Stable name: the health key, metric label and cron name. */
  readonly name: string;
  run(now: Date): Promise<JobSummary>;
}

export type JobSummary = Record<string, unknown>;

/** Per-brand outcome of a job step, for summaries. */
export interface BrandResult {
  brand_id: number;
  [field: string]: unknown;
}
