/**
 * Retry spacing for outbox rows whose publish failed: exponential in the
 * attempt count with a cap, so a Redis outage does not turn the poller into a
 * tight retry loop, and a long outage still retries at a bounded interval.
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
