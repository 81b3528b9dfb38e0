// The worker's `outbox` health check is "loop alive" (seed 000 "player_worker exposes its own heartbeat/health"; CONTRACTS §8).
import { outboxLoopHealth, type OutboxPollerStatus } from '@app/outbox';

const status = (over: Partial<OutboxPollerStatus> = {}): OutboxPollerStatus => ({
  running: true,
  lastLoopAt: new Date(1_000_000).toISOString(),
  lastError: null,
  backlog: 4,
  oldestPendingAgeSeconds: 2,
  waitingOnOpenTransactions: 1,
  ...over,
});

describe('outboxLoopHealth', () => {
  const base = { enabled: true, startedAt: 900_000, staleAfterMs: 30_000 };

  it('is ok while the loop runs and its last pass is recent', () => {
    expect(outboxLoopHealth(status(), { ...base, now: 1_010_000 })).toEqual({
      ok: true,
      details: { enabled: true, running: true, last_loop_at: new Date(1_000_000).toISOString(), last_error: null, backlog: 4, oldest_pending_age_seconds: 2, waiting_on_open_transactions: 1 },
    });
  });

  it('is down when the last pass is older than the stale limit (a stuck loop)', () => {
    expect(outboxLoopHealth(status(), { ...base, now: 1_030_001 }).ok).toBe(false);
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
