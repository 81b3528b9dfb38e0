/**
 * Worker settings taken from the validated AdminWorkerConfig once, so jobs
 * depend on values, not on the config class.
 */
export const WORKER_OPTIONS = Symbol('ADMIN_WORKER_OPTIONS');

export interface WorkerOptions {
  timeZone: string;
  veraSyncUrl: string | null;
  heartbeatFile: string | null;
  downstreamTimeoutMs: number;
  /** Whether cron ticks run (false in tests that drive jobs themselves). */
  scheduled: boolean;
}
