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
  /** statement_timeout and lock_timeout of every job transaction (see job-transactions.ts). */
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  /** Whether cron ticks run (false in tests that drive jobs themselves). */
  scheduled: boolean;
}

/**
 * Checked once at boot, after the config class has bounded each value: a
 * lock timeout above the statement timeout could never fire, so a job
 * blocked on a lock would be reported as a slow statement instead.
 */
export function assertJobTimeouts(statementTimeoutMs: number, lockTimeoutMs: number): void {
  for (const [name, value] of [
    ['ADMIN_WORKER_STATEMENT_TIMEOUT_MS', statementTimeoutMs],
    ['ADMIN_WORKER_LOCK_TIMEOUT_MS', lockTimeoutMs],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0)
      throw new RangeError(`${name} must be a positive integer`);
  }
  if (lockTimeoutMs > statementTimeoutMs)
    throw new RangeError('ADMIN_WORKER_LOCK_TIMEOUT_MS must not exceed ADMIN_WORKER_STATEMENT_TIMEOUT_MS');
}
