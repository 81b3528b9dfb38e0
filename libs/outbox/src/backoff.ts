/**
 * Retry spacing for outbox rows whose publish Redis rejected, and for the
 * relay loop after failed iterations: exponential in the count with a cap, so
 * a Redis or PostgreSQL outage does not turn the poller into a tight retry
 * loop, and a long outage still retries at a bounded interval. The loop's cap
 * is its own, short one: the loop must keep completing iterations, or the
 * worker's liveness check would restart it for an outage a restart cannot fix.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 5 * 60_000 };

/** Delay before the next attempt after `attempts` failures (attempts ≥ 1). */
export function backoffMs(attempts: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempts));
  // 2^(n-1) overflows to Infinity for huge n, which the cap absorbs.
  return Math.min(options.capMs, options.baseMs * 2 ** (n - 1));
}

/**
 * The relay loop's pause after `failures` failed iterations in a row: the row
 * backoff, capped at `capMs`, never below the poll interval.
 */
export function loopRetryMs(
  failures: number,
  pollIntervalMs: number,
  capMs: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  return Math.max(pollIntervalMs, Math.min(capMs, backoffMs(failures, options)));
}
