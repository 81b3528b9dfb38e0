// Unit tests for the outbox retry backoff (exponential, capped).
import { backoffMs, DEFAULT_BACKOFF, loopRetryMs } from './backoff';

describe('backoffMs', () => {
  it('doubles the delay with each failed attempt, starting at the base', () => {
    const options = { baseMs: 100, capMs: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, options))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('never exceeds the cap, even for absurd attempt counts', () => {
    const options = { baseMs: 100, capMs: 1000 };
    expect(backoffMs(5, options)).toBe(1000);
    expect(backoffMs(50, options)).toBe(1000);
    expect(backoffMs(5000, options)).toBe(1000);
  });

  it('treats attempt counts below one as the first attempt', () => {
    expect(backoffMs(0, { baseMs: 250, capMs: 1000 })).toBe(250);
    expect(backoffMs(-3, { baseMs: 250, capMs: 1000 })).toBe(250);
  });

  it('defaults to one second doubling up to five minutes', () => {
    expect(backoffMs(1)).toBe(DEFAULT_BACKOFF.baseMs);
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1000, capMs: 300_000 });
    expect(backoffMs(30)).toBe(300_000);
  });
});

describe('loopRetryMs', () => {
  it('backs the relay loop off like a row, but only up to its own cap, so an outage never looks like a stuck loop', () => {
    expect([1, 2, 3, 4, 5, 50].map((n) => loopRetryMs(n, 200, 5000))).toEqual([
      1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('never pauses less than the poll interval', () => {
    expect(loopRetryMs(1, 2000, 5000, { baseMs: 100, capMs: 1000 })).toBe(2000);
    expect(loopRetryMs(9, 60_000, 5000)).toBe(60_000);
  });
});
