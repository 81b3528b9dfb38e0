/**
 * Outbox relay loop run by player_worker / agent_worker (seeds 000/001
 * "Background Work", CONTRACTS §4/§6). Delivery is at-least-once, in order.
 * One batch is one transaction on one connection:
 *   lock the relay cursor and read the rows after it → pipelined XADD →
 *   move the cursor → COMMIT.
 * - A row is published once it is at or behind the table's row in
 *   `outbox_relay_cursor`, in (tx_id, id) order, tx_id being the id of the
 *   transaction that wrote the row (migration 1764000005000). The relay writes
 *   one cursor row per batch, never the outbox rows it publishes.
 * - Only rows of transactions older than the snapshot's xmin
 *   (`pg_snapshot_xmin(pg_current_snapshot())`) are read: every transaction
 *   behind them has finished, so no row can later commit behind the cursor,
 *   whatever order producers commit in. The price: publishing waits behind the
 *   oldest open write transaction of the whole cluster (xids are cluster-wide).
 * - The cursor row lock is the claim: a second worker skips the batch
 *   (SKIP LOCKED) and sleeps; a worker killed mid-batch (SIGKILL) drops its
 *   connection and PostgreSQL releases the lock at once; one that hangs with
 *   the transaction open is cut off after OUTBOX_LEASE_SECONDS
 *   (idle_in_transaction_session_timeout).
 * - The cursor moves only over rows Redis acknowledged, in order: it stops at
 *   the first failed row. Rows a failed batch published after its failed row
 *   are published again after it (consumers dedup on event_id).
 * - Who pays for a failure: a batch Redis never answered (not connected, a
 *   timeout, the connection dropped) or answered with a verdict on the server
 *   rather than the entry (LOADING, READONLY, OOM, …) is held: nothing is
 *   written to the row, the loop backs off (the row backoff capped at
 *   maxLoopBackoffMs, so the liveness check keeps passing) and retries the same
 *   batch. Charging such failures to the head row would dead-letter one event
 *   after another during a long outage and break their order. Only an error
 *   reply to that row's XADD counts: the row gets attempts / last_error /
 *   next_attempt_at (exponential backoff) and is dead-lettered
 *   (`status = 'dead'`) after maxAttempts; then the cursor passes it. A row
 *   that is not due yet holds back the rows after it (head of line: order is
 *   preserved).
 * - Any failed iteration (the batch threw, or its head failed) backs the loop
 *   off the same way. status() counts the iterations in a row that failed with
 *   the same error: the worker's readiness reports an error that persists (a
 *   missing grant), its liveness only a loop that stopped completing iterations
 *   (outbox-worker.module.ts).
 * - A crash between XADD and COMMIT republishes the batch.
 * - Round trips: a batch costs one to PostgreSQL and one to Redis. While the
 *   loop drains full batches, the statement that moves the cursor and commits
 *   also opens the next batch's transaction, locks the cursor again and reads
 *   the next rows (`UPDATE …; COMMIT; BEGIN; SET LOCAL …; <lock and read>`, one
 *   simple-protocol round trip); the relay talks to node-postgres directly,
 *   without TypeORM's query runner (docs/performance.md, bench:outbox).
 * - The stored envelope text is XADDed as is (no JSON parse/serialise), and the
 *   backlog gauges are refreshed at most once per BACKLOG_REFRESH_MS rather than
 *   after every batch.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Metrics } from '@app/observability';
import { backlogStatus, type OutboxBacklog } from './backlog';
import { backoffMs, DEFAULT_BACKOFF, loopRetryMs, type BackoffOptions } from './backoff';
import { assertOutboxTable, OUTBOX_STREAMS, type OutboxStream, type OutboxTable } from './event';
import { acquireRelayConnection, beginTransactionSql, type PooledRelayConnection } from './sql';
import { CROSS_BRAND_SETTING } from '@app/database';

export interface OutboxLogger {
  log(message: any, ...rest: any[]): any;
  warn(message: any, ...rest: any[]): any;
  error(message: any, ...rest: any[]): any;
}

export interface OutboxPollerOptions {
  dataSource: DataSource;
  redis: Redis;
  table: OutboxTable;
  stream: OutboxStream;
  /** Service label for metrics, e.g. `player_worker`. */
  service: string;
  /** Names this worker in the heartbeat file; unique per process (host + pid is typical). */
  workerId: string;
  batchSize: number;
  pollIntervalMs: number;
  leaseSeconds: number;
  maxAttempts: number;
  heartbeatFile?: string;
  logger: OutboxLogger;
  backoff?: BackoffOptions;
  /** Upper bound on one pipelined XADD batch; defaults to min(5 s, lease / 2). */
  publishTimeoutMs?: number;
  /** Upper bound on the loop's pause after failed iterations; defaults to MAX_LOOP_BACKOFF_MS. */
  maxLoopBackoffMs?: number;
}

export interface OutboxPollerStatus {
  running: boolean;
  lastLoopAt: string | null;
  lastError: string | null;
  backlog: number;
  oldestPendingAgeSeconds: number;
  /** Backlog rows committed behind a still-open older write transaction (the relay waits for it). */
  waitingOnOpenTransactions: number;
  /** Loop iterations in a row that failed, whatever the error (0 once one does not fail); `failingError` is the latest one's. */
  failingIterations: number;
  failingError: string | null;
  /** When the first of those iterations ended. */
  failingSince: string | null;
}

export interface BatchResult {
  claimed: number;
  published: number;
  failed: number;
  deadLettered: number;
}

/** What the relay reads of an outbox row; all null when the cursor is locked but no row is ready. */
interface RelayRecord {
  id: string | null;
  tx_id: string | null;
  brand_id: number;
  attempts: number;
  dead: boolean;
  due: boolean;
  /** The stored envelope as JSON text, published byte for byte (null for a dead row, which is skipped). */
  envelope: string | null;
}

/** One outbox row of a batch, in (tx_id, id) order. */
interface RelayRow extends RelayRecord {
  id: string;
  tx_id: string;
}

interface BatchOutcome extends BatchResult {
  publishedRows: RelayRow[];
  firstError: string | null;
  /** The head failed without Redis' verdict on the row: nothing was charged to it. */
  held: boolean;
  deadEventIds: string[];
}

const EMPTY_OUTCOME: BatchOutcome = {
  claimed: 0,
  published: 0,
  failed: 0,
  deadLettered: 0,
  publishedRows: [],
  firstError: null,
  held: false,
  deadEventIds: [],
};

/** Why one row of a batch was not published; `transient`: not the row's fault, not charged to it. */
interface PublishFailure {
  error: string;
  transient: boolean;
}

/** A transaction the last batch opened for the next one: cursor locked, rows read (no record: busy). */
interface OpenBatch {
  connection: PooledRelayConnection;
  records: RelayRecord[];
}

const MAX_ERROR_LENGTH = 500;

/** The backlog gauges, status and heartbeat backlog are at most this old. */
export const BACKLOG_REFRESH_MS = 1000;

/** The table that holds one relay position per outbox table (migration 1764000005000). */
export const RELAY_CURSOR_TABLE = 'outbox_relay_cursor';

/** Default cap on the loop's pause after failed iterations, well inside the liveness window (≥ 30 s). */
export const MAX_LOOP_BACKOFF_MS = 5000;

/**
 * Error replies about the server's state rather than the entry (loading, a
 * replica, full, failing over, …): every row would get the same, so they hold
 * the batch like an outage instead of dead-lettering rows one by one.
 */
const SERVER_STATE_REPLY =
  /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY|OOM|MISCONF|CLUSTERDOWN|NOREPLICAS|NOAUTH)\b/;

/** A row's failure from what the pipeline handed back: a ReplyError is Redis' answer to that XADD. */
function rowFailure(err: unknown): PublishFailure {
  const error = errorText(err);
  const reply = err instanceof Error && err.name === 'ReplyError';
  return { error, transient: !reply || SERVER_STATE_REPLY.test(error) };
}

const DECIMAL = /^\d{1,20}$/;

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.slice(0, MAX_ERROR_LENGTH);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Order of two non-negative decimal strings without leading zeros. */
function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRows(a: RelayRow, b: RelayRow): number {
  return compareDecimal(a.tx_id, b.tx_id) || compareDecimal(a.id, b.id);
}

/**
 * The rows of a batch: in (tx_id, id) order, up to the first row that is not
 * due yet (a failed row backing off holds back the rows after it).
 */
function toRows(records: RelayRecord[]): RelayRow[] {
  const rows: RelayRow[] = [];
  for (const r of records) {
    if (r.id === null || r.tx_id === null) break;
    if (!r.due && !r.dead) break;
    const row = r as RelayRow;
    if (rows.length > 0 && compareRows(rows[rows.length - 1], row) >= 0)
      throw new Error('outbox relay read rows out of order');
    rows.push(row);
  }
  return rows;
}

export class OutboxPoller {
  private readonly options: OutboxPollerOptions;
  private readonly backoff: BackoffOptions;
  private readonly publishTimeoutMs: number;
  private readonly maxLoopBackoffMs: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private lastLoopAt: Date | null = null;
  private lastError: string | null = null;
  /** Failed iterations in a row, whatever the error (the loop's backoff). */
  private failures = 0;
  /** Failed iterations in a row with the same error (readiness). */
  private failing: { error: string; iterations: number; since: Date } | null = null;
  private backlog: OutboxBacklog = {
    pending: 0,
    oldestPendingAgeSeconds: 0,
    dead: 0,
    waitingOnOpenTransactions: 0,
  };
  private backlogRefreshedAt = 0;
  private open: OpenBatch | null = null;
  /** BEGIN, the transaction-local settings, and the cursor lock with the rows after it: one round trip. */
  private readonly beginAndReadSql: string;

  constructor(options: OutboxPollerOptions) {
    assertOutboxTable(options.table);
    if (!OUTBOX_STREAMS.includes(options.stream)) throw new Error(`unknown outbox stream ${options.stream}`);
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
      throw new Error('batchSize must be ≥ 1');
    if (!(options.leaseSeconds > 0)) throw new Error('leaseSeconds must be > 0');
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)
      throw new Error('maxAttempts must be ≥ 1');
    if (!options.workerId) throw new Error('workerId is required');
    this.options = options;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.publishTimeoutMs = options.publishTimeoutMs ?? Math.min(5000, options.leaseSeconds * 500);
    this.maxLoopBackoffMs = options.maxLoopBackoffMs ?? MAX_LOOP_BACKOFF_MS;
    const begin = beginTransactionSql({
      // Row-level security (issue #8): the relay's one named cross-brand opt-in,
      // transaction-local: read every brand's outbox rows and record failures, nothing else.
      [CROSS_BRAND_SETTING]: 'relay',
      // A worker that hangs or loses its network with the batch open has its
      // session ended, and the cursor unlocked, after the lease time (never
      // shorter than a publish may take, or a slow XADD would cut its own batch).
      idle_in_transaction_session_timeout: Math.ceil(
        Math.max(options.leaseSeconds * 1000, this.publishTimeoutMs + 1000),
      ),
      // The transaction only moves the cursor and records failures: if a
      // database crash loses the last commits, a lost cursor move republishes
      // its batch (at-least-once, consumers dedup on event_id) and a lost
      // failure mark retries the row once more, so the commit need not wait
      // for the WAL flush.
      synchronous_commit: 'off',
      // Queue tables' statistics lag behind bursts (a fresh or just-drained
      // table looks empty), and the planner could then sort every row after
      // the cursor, envelopes included, for each batch. Without a sort the
      // only plan is the (tx_id, id) index walked in order, which stops after
      // batchSize rows; and no plan this costly is worth compiling.
      enable_sort: 'off',
      jit: 'off',
    });
    const { table, batchSize } = options;
    // Lock and read in one statement. SKIP LOCKED: another worker holds the cursor (it has the batch) and
    // this one idles; no record at all means "busy", one all-null record "nothing ready". A nested loop
    // over the one cursor row: the rows come out in the inner index order (checked in toRows).
    // brand-scope: cross-brand outbox relay reads every brand's rows after the cursor, in commit-safe order
    this.beginAndReadSql = `${begin};
      WITH relay_cursor AS (
        SELECT tx_id, id FROM ${RELAY_CURSOR_TABLE} WHERE outbox_table = '${table}' FOR UPDATE SKIP LOCKED
      )
      SELECT o.id::text AS id, o.tx_id::text AS tx_id, o.brand_id, o.attempts, o.status = 'dead' AS dead,
             o.next_attempt_at <= now() AS due, CASE WHEN o.status = 'dead' THEN NULL ELSE o.envelope::text END AS envelope
        FROM relay_cursor c
        LEFT JOIN LATERAL (
          SELECT * FROM ${table}
           WHERE (tx_id, id) > (c.tx_id, c.id) AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY tx_id, id LIMIT ${batchSize}
        ) o ON true`;
  }

  start(): void {
    if (this.loop) return;
    this.running = true;
    this.loop = this.run().finally(() => {
      this.loop = null;
    });
  }

  /** Graceful stop: the in-flight batch completes (publish is time-bounded), then the loop exits. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    await this.loop;
  }

  status(): OutboxPollerStatus {
    return {
      running: this.running,
      lastLoopAt: this.lastLoopAt?.toISOString() ?? null,
      lastError: this.lastError,
      backlog: this.backlog.pending,
      oldestPendingAgeSeconds: this.backlog.oldestPendingAgeSeconds,
      waitingOnOpenTransactions: this.backlog.waitingOnOpenTransactions,
      failingIterations: this.failing?.iterations ?? 0,
      failingError: this.failing?.error ?? null,
      failingSince: this.failing?.since.toISOString() ?? null,
    };
  }

  private async run(): Promise<void> {
    try {
      while (this.running) {
        let full = false;
        try {
          const result = await this.step(true);
          full = result.claimed >= this.options.batchSize;
        } catch (err) {
          const text = errorText(err);
          // One line per distinct failure, not one per loop while the database is down.
          if (text !== this.lastError) {
            this.options.logger.error({ msg: 'outbox loop failed', table: this.options.table, error: text });
          }
          this.lastError = text;
        }
        const refresh = Date.now() - this.backlogRefreshedAt >= BACKLOG_REFRESH_MS;
        // The transaction opened for the next batch holds the cursor (and an xid, which holds back
        // every relay's horizon): end it before anything slower than a heartbeat write.
        if (!full || !this.running || refresh) await this.closeOpen();
        if (refresh) await this.refreshBacklog();
        this.lastLoopAt = new Date();
        await this.writeHeartbeat();
        // A full batch means more rows are probably waiting: drain without sleeping. After a failure,
        // back off (bounded: an outage must not look like a stuck loop to the liveness check).
        const pause = this.failures === 0 ? this.options.pollIntervalMs : this.retryPauseMs();
        if (!full && this.running) await this.sleep(pause);
      }
    } finally {
      await this.closeOpen();
    }
  }

  /** One lock → read → publish → cursor move cycle. Public so tests and tools can drive the loop step by step. */
  async runOnce(): Promise<BatchResult> {
    const { claimed, published, failed, deadLettered } = await this.step(false);
    return { claimed, published, failed, deadLettered };
  }

  /** The pause after `failures` failed iterations in a row. */
  private retryPauseMs(): number {
    return loopRetryMs(this.failures, this.options.pollIntervalMs, this.maxLoopBackoffMs, this.backoff);
  }

  /** Counts an iteration for the backoff and the persistent-error streak; `error` null = it did not fail. */
  private noteIteration(error: string | null): void {
    if (error === null) {
      this.failures = 0;
      this.failing = null;
      return;
    }
    this.failures += 1;
    // One outage words its errors several ways (ioredis: ECONNREFUSED, "Connection is closed.",
    // max retries…): the streak counts failing iterations in a row, whatever their message, and
    // shows the latest one.
    if (this.failing) {
      this.failing.iterations += 1;
      this.failing.error = error;
    } else this.failing = { error, iterations: 1, since: new Date() };
  }

  /**
   * One batch in one transaction. `chain`: if the batch was full and fully
   * published, the round trip that commits it also opens the next batch's
   * transaction (kept in `open`, ended by the next step or by closeOpen).
   */
  private async step(chain: boolean): Promise<BatchOutcome> {
    Metrics.crossBrandAccess().inc({ access: 'relay' });
    const open = this.open;
    this.open = null;
    let connection: PooledRelayConnection | null = open?.connection ?? null;
    let outcome: BatchOutcome;
    try {
      connection ??= await acquireRelayConnection(this.options.dataSource);
      const records = open ? open.records : await connection.script<RelayRecord>(this.beginAndReadSql);
      outcome = await this.batch(connection, records, chain);
    } catch (err) {
      this.open = null;
      await connection?.rollback();
      this.noteIteration(errorText(err));
      throw err;
    } finally {
      if (connection && !this.keeps(connection)) connection.release();
    }
    // Counted and logged after COMMIT: only then has the cursor really moved.
    this.report(outcome);
    this.lastError = outcome.firstError;
    this.noteIteration(outcome.firstError);
    return outcome;
  }

  /** Whether `connection` carries the transaction opened for the next batch (then it stays on loan). */
  private keeps(connection: PooledRelayConnection): boolean {
    return this.open !== null && this.open.connection === connection;
  }

  /** Ends a transaction the last batch opened for the next one (it holds the cursor lock, nothing else). */
  private async closeOpen(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.open = null;
    try {
      await open.connection.script('COMMIT');
    } catch (err) {
      await open.connection.rollback();
      this.lastError = errorText(err);
    } finally {
      open.connection.release();
    }
  }

  private async batch(
    connection: PooledRelayConnection,
    records: RelayRecord[],
    chain: boolean,
  ): Promise<BatchOutcome> {
    const rows = toRows(records);
    if (rows.length === 0) {
      await connection.script('COMMIT');
      return EMPTY_OUTCOME;
    }
    const errors = await this.publish(rows.filter((row) => !row.dead));

    // The cursor passes the acknowledged rows (and dead ones) up to the first failure.
    let passed = 0;
    let index = 0;
    const published: RelayRow[] = [];
    let failed = 0;
    let headFailure: PublishFailure | null = null;
    let head: RelayRow | null = null;
    for (const row of rows) {
      if (row.dead) {
        if (head === null) passed += 1;
        continue;
      }
      const failure = errors[index++];
      if (failure !== null) {
        failed += 1;
        if (head === null) {
          head = row;
          headFailure = failure;
        }
      } else if (head === null) {
        published.push(row);
        passed += 1;
      }
    }
    let deadEventIds: string[] = [];
    // A held head keeps its attempts and due time: the loop backs off and retries the batch.
    if (head && headFailure && !headFailure.transient) {
      deadEventIds = await this.markFailed(connection, head, headFailure.error);
      // A dead-lettered head is passed too; a head left for retry holds the rest back.
      if (deadEventIds.length > 0) passed += 1;
    }
    const move = passed > 0 ? this.moveCursorSql(rows[passed - 1]) : '';
    if (chain && this.running && !head && rows.length >= this.options.batchSize) {
      const next = await connection.script<RelayRecord>(`${move}COMMIT; ${this.beginAndReadSql}`);
      this.open = { connection, records: next };
    } else {
      await connection.script(`${move}COMMIT`);
    }
    return {
      claimed: rows.length,
      published: published.length,
      failed,
      deadLettered: deadEventIds.length,
      publishedRows: published,
      firstError: headFailure?.error ?? null,
      held: headFailure?.transient ?? false,
      deadEventIds,
    };
  }

  /** The one write of a published batch: the cursor to its last row (PostgreSQL's own decimal output, checked). */
  private moveCursorSql(last: RelayRow): string {
    if (!DECIMAL.test(last.tx_id) || !DECIMAL.test(last.id)) throw new Error('invalid outbox relay position');
    return `UPDATE ${RELAY_CURSOR_TABLE} SET tx_id = '${last.tx_id}'::xid8, id = ${last.id}, updated_at = clock_timestamp()
      WHERE outbox_table = '${this.options.table}'; `;
  }

  /**
   * One pipelined XADD per row; returns each row's failure (null =
   * acknowledged). Never throws: a batch that cannot be sent fails as a whole,
   * transiently.
   */
  private async publish(rows: RelayRow[]): Promise<Array<PublishFailure | null>> {
    if (rows.length === 0) return [];
    const { redis, stream } = this.options;
    try {
      if (redis.status === 'wait') await withTimeout(redis.connect(), this.publishTimeoutMs, 'redis connect');
      // Fail fast instead of parking commands in ioredis' offline queue, which
      // could flush them after the batch was already given up.
      if (redis.status !== 'ready') throw new Error(`redis not ready (${redis.status})`);
      const pipeline = redis.pipeline();
      for (const row of rows) pipeline.xadd(stream, '*', 'event', row.envelope as string);
      const results = await withTimeout(pipeline.exec(), this.publishTimeoutMs, 'redis XADD batch');
      return rows.map((_, i) => {
        const entry = results?.[i];
        if (!entry) return { error: 'no reply from redis', transient: true };
        return entry[0] ? rowFailure(entry[0]) : null;
      });
    } catch (err) {
      const failure = { error: errorText(err), transient: true };
      return rows.map(() => failure);
    }
  }

  /** Records the head row's failure and schedules its retry; returns its event_id if it went dead. */
  private async markFailed(
    connection: PooledRelayConnection,
    row: RelayRow,
    error: string,
  ): Promise<string[]> {
    const { table, maxAttempts } = this.options;
    // brand-scope: cross-brand outbox relay records the failure of the row at the head of its batch, by id
    const updated = await connection.rows<{ status: string; event_id: string }>(
      `UPDATE ${table}
          SET attempts = attempts + 1,
              status = CASE WHEN attempts + 1 >= $2 THEN 'dead' ELSE status END,
              next_attempt_at = now() + $3::float8 * interval '1 millisecond',
              last_error = $4
        WHERE id = $1
        RETURNING status, event_id`,
      [row.id, maxAttempts, backoffMs(row.attempts + 1, this.backoff), error],
    );
    return updated.filter((r) => r.status === 'dead').map((r) => r.event_id);
  }

  private report(outcome: BatchOutcome): void {
    const { service, stream, table, logger } = this.options;
    const perBrand = new Map<number, number>();
    for (const row of outcome.publishedRows)
      perBrand.set(row.brand_id, (perBrand.get(row.brand_id) ?? 0) + 1);
    for (const [brand, count] of perBrand)
      Metrics.outboxPublished().inc({ service, stream, brand: String(brand) }, count);
    if (outcome.failed === 0) return;
    Metrics.outboxFailed().inc({ service, stream }, outcome.failed);
    // A held batch is retried every few seconds while Redis is away: one line per distinct failure.
    if (outcome.held && outcome.firstError === this.lastError) return;
    logger.warn({
      msg: 'outbox publish failed',
      table,
      stream,
      rows: outcome.failed,
      error: outcome.firstError,
      held: outcome.held,
    });
    if (outcome.deadEventIds.length === 0) return;
    Metrics.outboxDeadLettered().inc({ service, stream }, outcome.deadEventIds.length);
    logger.error({ msg: 'outbox rows dead-lettered', table, stream, event_ids: outcome.deadEventIds });
  }

  private async refreshBacklog(): Promise<void> {
    const { dataSource, table, service } = this.options;
    this.backlogRefreshedAt = Date.now();
    try {
      this.backlog = await backlogStatus(dataSource, table);
      Metrics.outboxBacklog().set({ service, table }, this.backlog.pending);
      Metrics.outboxOldestAgeSeconds().set({ service, table }, this.backlog.oldestPendingAgeSeconds);
      Metrics.outboxWaitingOnOpenTransactions().set(
        { service, table },
        this.backlog.waitingOnOpenTransactions,
      );
    } catch (err) {
      this.lastError = errorText(err);
    }
  }

  private async writeHeartbeat(): Promise<void> {
    const file = this.options.heartbeatFile;
    if (!file) return;
    const beat = {
      timestamp: this.lastLoopAt?.toISOString() ?? new Date().toISOString(),
      service: this.options.service,
      worker_id: this.options.workerId,
      table: this.options.table,
      backlog: this.backlog.pending,
      last_error: this.lastError,
    };
    try {
      // Write-then-rename so a supervisor never reads a half-written file.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(beat));
      await rename(tmp, file);
    } catch (err) {
      this.options.logger.warn({ msg: 'outbox heartbeat write failed', error: errorText(err) });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        this.sleepTimer = null;
        resolve();
      };
      this.sleepTimer = setTimeout(this.wake, ms);
    });
  }
}
