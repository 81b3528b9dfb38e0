// The worker's outbox checks (seed 000 "player_worker exposes its own heartbeat/health", seed 001 "heartbeat-backed supervision"; CONTRACTS §8):
// `outbox` (readiness) is "loop alive and not failing with one error", `outbox_loop` (liveness) only "loop alive".
import { outboxLoopHealth, outboxLoopLiveness, type OutboxPollerStatus } from '@app/outbox';

const status = (over: Partial<OutboxPollerStatus> = {}): OutboxPollerStatus => ({
  running: true,
  lastLoopAt: new Date(1_000_000).toISOString(),
  lastError: null,
  backlog: 4,
  oldestPendingAgeSeconds: 2,
  waitingOnOpenTransactions: 1,
  failingIterations: 0,
  failingError: null,
  failingSince: null,
  ...over,
});

describe('outboxLoopHealth', () => {
  const base = { enabled: true, startedAt: 900_000, staleAfterMs: 30_000 };

  it('is ok while the loop runs and its last pass is recent', () => {
    expect(outboxLoopHealth(status(), { ...base, now: 1_010_000 })).toEqual({
      ok: true,
      details: {
        enabled: true, running: true, last_loop_at: new Date(1_000_000).toISOString(), last_error: null,
        failing_iterations: 0, failing_error: null, failing_since: null,
        backlog: 4, oldest_pending_age_seconds: 2, waiting_on_open_transactions: 1,
      },
    });
  });

  it('is down when the last pass is older than the stale limit (a stuck loop)', () => {
    expect(outboxLoopHealth(status(), { ...base, now: 1_030_001 })).toMatchObject({ ok: false, details: { reason: 'stale' } });
  });

  it('is down, with the error, once five iterations in a row failed with the same error (a missing grant)', () => {
    const failing = (n: number) =>
      status({ lastError: 'permission denied for table player_outbox', failingIterations: n, failingError: 'permission denied for table player_outbox', failingSince: new Date(990_000).toISOString() });
    expect(outboxLoopHealth(failing(4), { ...base, now: 1_010_000 }).ok).toBe(true);
    expect(outboxLoopHealth(failing(5), { ...base, now: 1_010_000 })).toMatchObject({
      ok: false,
      details: { reason: 'persistent_error', failing_iterations: 5, failing_error: 'permission denied for table player_outbox', failing_since: new Date(990_000).toISOString() },
    });
    expect(outboxLoopHealth(failing(2), { ...base, persistentErrorIterations: 2, now: 1_010_000 }).ok).toBe(false);
  });

  it('is down when the loop stopped', () => {
    expect(outboxLoopHealth(status({ running: false }), { ...base, now: 1_000_001 }).ok).toBe(false);
  });

  it('counts from the start time before the first pass completes', () => {
    const fresh = status({ lastLoopAt: null });
    expect(outboxLoopHealth(fresh, { ...base, now: 910_000 }).ok).toBe(true);
    expect(outboxLoopHealth(fresh, { ...base, now: 940_001 }).ok).toBe(false);
  });

  it('is ok when the poller is disabled on purpose (ENABLE_OUTBOX_POLLER=off)', () => {
    expect(outboxLoopHealth(status({ running: false, lastLoopAt: null }), { ...base, enabled: false, startedAt: null }).ok).toBe(true);
  });
});

describe('outboxLoopLiveness', () => {
  const base = { enabled: true, startedAt: 900_000, staleAfterMs: 30_000 };

  it('passes while the loop completes iterations, even when every one of them fails', () => {
    const failing = status({ lastError: 'redis not ready (reconnecting)', failingIterations: 500, failingError: 'redis not ready (reconnecting)' });
    expect(outboxLoopLiveness(failing, { ...base, now: 1_010_000 })).toEqual({
      ok: true,
      details: { enabled: true, running: true, last_loop_at: new Date(1_000_000).toISOString(), stale_after_ms: 30_000 },
    });
  });

  it('fails once no iteration completed within the stale limit, or the loop stopped', () => {
    expect(outboxLoopLiveness(status(), { ...base, now: 1_030_001 })).toMatchObject({ ok: false, details: { reason: 'stale' } });
    expect(outboxLoopLiveness(status({ lastLoopAt: null }), { ...base, now: 930_001 }).ok).toBe(false);
    expect(outboxLoopLiveness(status({ running: false }), { ...base, now: 1_000_001 })).toMatchObject({ ok: false, details: { reason: 'stopped' } });
  });

  it('passes when the poller is disabled on purpose', () => {
    expect(outboxLoopLiveness(status({ running: false, lastLoopAt: null }), { ...base, enabled: false, startedAt: null }).ok).toBe(true);
  });
});
