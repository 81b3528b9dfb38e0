/**
 * bench:outbox (issue 4 acceptance): events per second that ONE player-worker
 * publishes for 10,000 pending player_outbox rows, and the ratio to a raw
 * pipelined XADD loop of the same events (target ≥ 0.5).
 *
 * Method:
 * 1. a fresh database set up and migrated by the CLI (`db:setup`, `migrate`);
 *    the built `dist/apps/player-worker/main.js` is started once, as the app
 *    role (row-level security applies; the relay reads every brand's rows
 *    through its `relay` opt-in), and stays up for every run, like a
 *    deployed worker (a cold process would measure V8 warming up); the
 *    bench's own seeding and probes run as the table owner;
 * 2. each run: raw baseline first, the same envelopes XADDed to a scratch
 *    stream in pipelines of the worker's batch size, timed end to end; then
 *    10,000 v2 envelopes are inserted into player_outbox in ONE transaction,
 *    and t0 is when it has committed, i.e. when the rows become visible to the
 *    worker (the bench's own 10,000-row insert is not the worker's work); t1
 *    is when the relay cursor (outbox_relay_cursor) has reached the last
 *    row. events/s = 10,000 / (t1 - t0). That includes locking the cursor and
 *    reading the rows after it, XADD, the cursor move and COMMIT, the backlog
 *    refresh and the heartbeat, i.e. everything the worker does per event;
 * 3. one untimed warm-up run comes first. Each timed run pairs one raw
 *    measurement with the worker run that follows it, so its ratio compares
 *    the two under the same machine load; min / median / max of the runs are
 *    printed.
 *
 * Env: BENCH_DATABASE_URL (a superuser on the server; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379/13), BENCH_EVENTS (10000),
 * BENCH_BATCH_SIZE (the worker's OUTBOX_BATCH_SIZE, default 500 = the config default),
 * BENCH_RUNS (5).
 */
'use strict';
const { randomUUID } = require('node:crypto');
const Redis = require('ioredis');
const { Pool } = require('pg');
const { dropDatabase, freshDatabase, startApp } = require('../shared');

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const BATCH = Number(process.env.BENCH_BATCH_SIZE ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DB_NAME = 'servers_v2_bench_outbox';
const STREAM = 'events:player';
const RAW_STREAM = 'bench:outbox:raw';

function envelope(i) {
  return {
    event_id: randomUUID(),
    event_type: 'PLAYER_REGISTERED',
    schema_version: 2,
    brand_id: 1,
    aggregate_type: 'player',
    aggregate_id: String(i + 1),
    producer: 'player_service',
    occurred_at: new Date().toISOString(),
    request_id: `bench-${i}`,
    payload: { player_id: i + 1, account: `bench_${i}`, agent_id: null, level: 1, status: 'enabled' },
  };
}

/**
 * Inserts the events in ONE transaction and returns its last row's relay
 * position (tx_id, id); the rows become visible to the worker at COMMIT, which
 * is left to the caller so it can start the clock there.
 */
async function seed(client, events) {
  await client.query('TRUNCATE player_outbox');
  await client.query('BEGIN');
  for (let i = 0; i < events.length; i += 1000) {
    const chunk = events.slice(i, i + 1000);
    await client.query(
      `INSERT INTO player_outbox (brand_id, event_id, event_type, aggregate_type, aggregate_id, envelope)
       SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
      [
        chunk.map((e) => e.brand_id),
        chunk.map((e) => e.event_id),
        chunk.map((e) => e.event_type),
        chunk.map((e) => e.aggregate_type),
        chunk.map((e) => e.aggregate_id),
        chunk.map((e) => JSON.stringify(e)),
      ],
    );
  }
  const { rows } = await client.query(
    `SELECT o.tx_id::text AS tx_id, o.id FROM player_outbox o ORDER BY o.tx_id DESC, o.id DESC LIMIT 1`,
  );
  return rows[0];
}

async function rawRun(redis, events) {
  await redis.del(RAW_STREAM);
  const started = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += BATCH) {
    const pipeline = redis.pipeline();
    for (const e of events.slice(i, i + BATCH)) pipeline.xadd(RAW_STREAM, '*', 'event', JSON.stringify(e));
    await pipeline.exec();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await redis.del(RAW_STREAM);
  return events.length / seconds;
}

async function startWorker(appUrl) {
  return startApp('player-worker', {
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: appUrl,
    REDIS_URL,
    OUTBOX_BATCH_SIZE: String(BATCH),
    OUTBOX_POLL_INTERVAL_MS: '10',
  });
}

async function workerRun(pool, redis, events) {
  await redis.del(STREAM);
  const client = await pool.connect();
  let started;
  let last;
  try {
    last = await seed(client, events);
    await client.query('COMMIT');
    started = process.hrtime.bigint();
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  // Cheap probes only (XLEN, then the one cursor row), so the measuring loop does not steal the CPU it measures.
  while ((await redis.xlen(STREAM)) < events.length) await new Promise((r) => setTimeout(r, 2));
  for (;;) {
    const { rows } = await pool.query(
      `SELECT (tx_id, id) >= ($1::xid8, $2::bigint) AS done FROM outbox_relay_cursor WHERE outbox_table = 'player_outbox'`,
      [last.tx_id, last.id],
    );
    if (rows[0].done) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const streamed = await redis.xlen(STREAM);
  if (streamed < events.length) throw new Error(`only ${streamed} of ${events.length} events on the stream`);
  await redis.del(STREAM);
  return events.length / seconds;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function spread(values, format) {
  return { min: format(Math.min(...values)), median: format(median(values)), max: format(Math.max(...values)) };
}

async function main() {
  const { ownerUrl, appUrl } = await freshDatabase(SERVER, DB_NAME);
  const pool = new Pool({ connectionString: ownerUrl, max: 2 });
  const redis = new Redis(REDIS_URL);
  try {
    const events = Array.from({ length: EVENTS }, (_, i) => envelope(i));
    const raw = [];
    const worker = [];
    const app = await startWorker(appUrl);
    try {
      for (let run = 0; run <= RUNS; run += 1) {
        const r = await rawRun(redis, events);
        const w = await workerRun(pool, redis, events);
        const label = run === 0 ? 'warm-up' : `run ${run}/${RUNS}`;
        process.stdout.write(`${label}: raw ${r.toFixed(0)} ev/s, worker ${w.toFixed(0)} ev/s, ratio ${(w / r).toFixed(3)}\n`);
        if (run === 0) continue;
        raw.push(r);
        worker.push(w);
      }
    } finally {
      await app.stop();
    }
    const ratios = worker.map((w, i) => w / raw[i]);
    const round = (n) => Math.round(n);
    const result = {
      events: EVENTS,
      batch_size: BATCH,
      runs: RUNS,
      raw_pipelined_xadd_events_per_s: spread(raw, round),
      worker_events_per_s: spread(worker, round),
      ratio: spread(ratios, (n) => Number(n.toFixed(3))),
      target: 0.5,
      meets_target_at_median: median(ratios) >= 0.5,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const { worker_events_per_s: w, raw_pipelined_xadd_events_per_s: r, ratio } = result;
    process.stdout.write(
      `player-worker published ${EVENTS} events at ${w.median} events/s (min ${w.min}, max ${w.max}); ` +
        `raw pipelined XADD ${r.median} events/s (min ${r.min}, max ${r.max}); ` +
        `ratio ${ratio.median} (min ${ratio.min}, max ${ratio.max}; target >= 0.5)\n`,
    );
  } finally {
    redis.disconnect();
    await pool.end();
    await dropDatabase(SERVER, DB_NAME);
  }
}

main().catch((err) => {
  process.stderr.write(`bench:outbox failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
