// player API /health (seed 000 "API /health checks DB, Redis, outbox loop status"; CONTRACTS §8): outbox = backlog age.
import { type PlayerApp, type PlayerHarness, startPlayerHarness } from './harness';

describe('player API health', () => {
  let h: PlayerHarness;
  let app: PlayerApp;

  beforeAll(async () => {
    h = await startPlayerHarness('player-health');
    app = await h.boot();
  });
  afterAll(() => h.close());

  it('is healthy with a fresh backlog and reports it', async () => {
    await h.pg.query(
      `INSERT INTO player_outbox (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope) VALUES (gen_random_uuid(), 1, 'X', 'player', '1', '{}')`,
    );
    const res = await fetch(`${app.url}/health`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.data.checks).toEqual({ redis: 'ok', db: 'ok', outbox: 'ok' });
    expect(body.data.details.outbox).toMatchObject({ pending: 1, dead: 0, stale_after_seconds: 600 });
  });

  it('answers 503 status 7 when the oldest unpublished row is older than the stale limit (worker not draining)', async () => {
    await h.pg.query(
      `INSERT INTO player_outbox (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, created_at)
       VALUES (gen_random_uuid(), 1, 'X', 'player', '2', '{}', now() - interval '11 minutes')`,
    );
    const res = await fetch(`${app.url}/health`);
    const body = (await res.json()) as any;
    expect(res.status).toBe(503);
    expect(body.status).toBe(7);
    expect(body.data.checks.outbox).toBe('down');
    expect(body.data.details.outbox.oldest_pending_age_seconds).toBeGreaterThanOrEqual(660);
    // The worker drains the backlog: the relay cursor passes every row.
    await h.pg.query(
      `UPDATE outbox_relay_cursor SET (tx_id, id) =
         (SELECT o.tx_id, o.id FROM player_outbox o ORDER BY o.tx_id DESC, o.id DESC LIMIT 1)
        WHERE outbox_table = 'player_outbox'`,
    );
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
  });
});
