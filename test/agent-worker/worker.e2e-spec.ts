/**
 * agent_worker (seed 001 "Background Work", CONTRACTS §1/§4/§6/§8): the BUILT
 * worker publishes the agent API's outbox rows to `events:agent` as
 * DomainEvent v2 envelopes carrying brand_id, writes its heartbeat file,
 * answers /health with db, redis and outbox checks, and stops cleanly on
 * SIGTERM.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishedSql } from '@app/outbox';
import { type RunningApp, startApp } from '../support/processes';
import { buildPortal, type PortalFixture } from '../agent/portal-fixture';
import { type Harness, startHarness } from '../agent/support';

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('agent-worker', () => {
  let h: Harness;
  let f: PortalFixture;
  let worker: RunningApp;
  let dir: string;

  beforeAll(async () => {
    h = await startHarness('worker');
    f = await buildPortal(h);
    dir = mkdtempSync(join(tmpdir(), 'agent-worker-'));
    worker = await startApp('agent-worker', {
      MULTI_BRAND_ENFORCEMENT: 'enforce',
      DATABASE_URL: h.db.appUrl,
      REDIS_URL: h.redisUrl,
      WORKER_HEARTBEAT_FILE: join(dir, 'heartbeat.json'),
      OUTBOX_POLL_INTERVAL_MS: '50',
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes events written by the agent API to events:agent, once each, with brand_id', async () => {
    const grant = await h.call('POST', '/agent/coupon/grant', {
      host: f.hostA,
      token: f.tokenA,
      body: { player_id: f.players.p1, amount: '1234.50' },
    });
    expect(grant.status).toBe(0);
    const withdraw = await h.call('POST', '/agent/withdraw/add', {
      host: f.hostB,
      token: f.tokenB,
      body: { amount: '15000' },
    });
    expect(withdraw.status).toBe(0);
    const { rows } = await h.pg.query<{ event_id: string; brand_id: number; event_type: string }>(
      `SELECT event_id, brand_id, event_type FROM agent_outbox ORDER BY id`,
    );
    expect(rows.map((r) => r.event_type)).toEqual(['AGENT_COUPON_GRANTED', 'AGENT_WITHDRAW_REQUESTED']);

    await eventually(async () => {
      const { rows: pending } = await h.pg.query(
        `SELECT count(*)::int AS n FROM agent_outbox o WHERE NOT ${publishedSql('agent_outbox', 'o')}`,
      );
      return pending[0].n === 0 ? true : undefined;
    });
    const entries = (await h.redis.xrange('events:agent', '-', '+')) as Array<[string, string[]]>;
    const events = entries.map(
      ([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]) as Record<string, unknown>,
    );
    for (const row of rows) {
      const published = events.filter((e) => e.event_id === row.event_id);
      expect(published).toHaveLength(1);
      expect(published[0]).toMatchObject({
        schema_version: 2,
        brand_id: row.brand_id,
        event_type: row.event_type,
        producer: 'agent_service',
      });
    }
    expect(events.find((e) => e.event_id === rows[0].event_id)).toMatchObject({
      brand_id: f.alpha,
      payload: { amount: '1234.50', player_id: f.players.p1 },
    });
    expect(events.find((e) => e.event_id === rows[1].event_id)).toMatchObject({
      brand_id: f.beta,
      aggregate_type: 'agent_withdraw',
    });
  });

  it('answers /health with db, redis and the outbox loop, and writes its heartbeat', async () => {
    const res = await fetch(`${worker.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: number; data: Record<string, unknown> };
    expect(body).toMatchObject({
      status: 0,
      data: {
        service: 'agent_worker',
        multi_brand_enforcement: 'enforce',
        checks: { db: 'ok', redis: 'ok', outbox: 'ok' },
      },
    });
    const file = join(dir, 'heartbeat.json');
    expect(existsSync(file)).toBe(true);
    const beat = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(beat).toMatchObject({ service: 'agent_worker', table: 'agent_outbox', backlog: 0 });
    expect(Date.now() - Date.parse(beat.timestamp as string)).toBeLessThan(5000);
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/outbox_published_total\{[^}]*service="agent_worker"[^}]*stream="events:agent"/);
  });

  it('stops cleanly on SIGTERM, leaving every row published and the relay cursor unlocked', async () => {
    const code = await worker.stop('SIGTERM');
    // Nest runs the shutdown hooks, then re-raises the signal.
    expect(worker.child.signalCode === 'SIGTERM' || code === 0).toBe(true);
    const { rows } = await h.pg.query(
      `SELECT count(*)::int AS n FROM agent_outbox o WHERE NOT ${publishedSql('agent_outbox', 'o')}`,
    );
    expect(rows[0].n).toBe(0);
    // and the relay cursor is left unlocked
    const cursor = await h.pg.query(
      `SELECT * FROM outbox_relay_cursor WHERE outbox_table = 'agent_outbox' FOR UPDATE NOWAIT`,
    );
    expect(cursor.rows).toHaveLength(1);
  });
});
