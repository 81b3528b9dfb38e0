/**
 * Outbox publisher loop run by player_worker / agent_worker (seeds 000/001
 * "Background Work", CONTRACTS §4/§6). Delivery is at-least-once. One batch is
 * one transaction on one connection:
 *   claim (SELECT … FOR UPDATE SKIP LOCKED) → pipelined XADD → mark → COMMIT.
 * - The claim is the row locks the transaction holds, so two workers never
 *   hold the same row (the other one skips it), and the rows are marked
 *   published in that same transaction only after Redis acknowledged their
 *   XADD; a crash between XADD and COMMIT republishes them (consumers dedup
 *   on event_id).
 * - A worker killed mid-batch (SIGKILL) drops its connection, and PostgreSQL
 *   releases its locks at once; one that hangs with the transaction open is
 *   cut off after OUTBOX_LEASE_SECONDS (idle_in_transaction_session_timeout),
 *   so the lease bound still holds. Rows still carrying a live written lease
 *   (`locked_until`, e.g. from an older worker) are left alone until it ends.
 * - Failed publishes are recorded in the same transaction: exponential
 *   backoff, dead letter after maxAttempts.
 * - Rows go out oldest-due first (next_attempt_at, then id; one producer
 *   transaction's rows share next_attempt_at, so they keep their id order).
 * - The stored envelope text is XADDed as is (no JSON parse/serialise), and the
 *   backlog gauges are refreshed at most once per BACKLOG_REFRESH_MS rather than
 *   after every batch, since counting the backlog costs as much as a batch.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { DataSource, QueryRunner } from 'typeorm';
import { Metrics } from '@app/observability';
import { backlogStatus, type OutboxBacklog } from './backlog';
import { backoffMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { assertOutboxTable, OUTBOX_STREAMS, type OutboxStream, type OutboxTable } from './event';
import { queryRecords, withLockTransaction, type LocalSettings } from './sql';
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
}

export interface OutboxPollerStatus {
  running: boolean;
  lastLoopAt: string | null;
  lastError: string | null;
  backlog: number;
  oldestPendingAgeSeconds: number;
}

export interface BatchResult {
  claimed: number;
  published: number;
  failed: number;
  deadLettered: number;
}

interface ClaimedRow {
  id: string;
  brand_id: number;
  attempts: number;
  /** The stored envelope as JSON text, published byte for byte. */
  envelope: string;
}

interface BatchOutcome extends BatchResult {
  publishedRows: ClaimedRow[];
  firstError: string | null;
  deadEventIds: string[];
}

const MAX_ERROR_LENGTH = 500;

/** The backlog gauges, status and heartbeat backlog are at most this old. */
export const BACKLOG_REFRESH_MS = 1000;

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

export class OutboxPoller {
  private readonly options: OutboxPollerOptions;
  private readonly backoff: BackoffOptions;
  private readonly publishTimeoutMs: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private lastLoopAt: Date | null = null;
  private lastError: string | null = null;
  private backlog: OutboxBacklog = { pending: 0, oldestPendingAgeSeconds: 0, dead: 0 };
  private backlogRefreshedAt = 0;
  private readonly transactionSettings: LocalSettings;

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
    this.transactionSettings = {
      // Row-level security (issue #8): the relay's one named cross-brand opt-in,
      // transaction-local: read every brand's outbox rows and mark them, nothing else.
      [CROSS_BRAND_SETTING]: 'relay',
      // A worker that hangs or loses its network with the batch open has its
      // session ended, and its rows unlocked, after the lease time (never
      // shorter than a publish may take, or a slow XADD would cut its own batch).
      idle_in_transaction_session_timeout: Math.ceil(
        Math.max(options.leaseSeconds * 1000, this.publishTimeoutMs + 1000),
      ),
      // The transaction only writes outbox marks: if a database crash loses the
      // last commits, a lost "published" mark republishes the row (at-least-once,
      // consumers dedup on event_id) and a lost failure mark retries it once
      // more, so the commit need not wait for the WAL flush.
      synchronous_commit: 'off',
      // Queue tables' statistics lag behind bursts (a fresh or just-drained
      // table looks empty), and the planner then sorts every pending row,
      // envelopes included, for each batch. Without a sort the only plan is the
      // pending index walked in claim order, which stops after batchSize rows.
      enable_sort: 'off',
    };
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
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        const result = await this.runOnce();
        full = result.claimed >= this.options.batchSize;
      } catch (err) {
        const text = errorText(err);
        // One line per distinct failure, not one per loop while the database is down.
        if (text !== this.lastError) {
          this.options.logger.error({ msg: 'outbox loop failed', table: this.options.table, error: text });
        }
        this.lastError = text;
      }
      if (Date.now() - this.backlogRefreshedAt >= BACKLOG_REFRESH_MS) await this.refreshBacklog();
      this.lastLoopAt = new Date();
      await this.writeHeartbeat();
      // A full batch means more rows are probably waiting: drain without sleeping.
      if (!full && this.running) await this.sleep(this.options.pollIntervalMs);
    }
  }

  /** One claim → publish → mark cycle. Public so tests and tools can drive the loop step by step. */
  async runOnce(): Promise<BatchResult> {
    Metrics.crossBrandAccess().inc({ access: 'relay' });
    const outcome = await withLockTransaction(this.options.dataSource, this.transactionSettings, (runner) =>
      this.batch(runner),
    );
    // Counted and logged after COMMIT: only then are the rows really marked.
    this.report(outcome);
    this.lastError = outcome.firstError;
    const { claimed, published, failed, deadLettered } = outcome;
    return { claimed, published, failed, deadLettered };
  }

  private async batch(runner: QueryRunner): Promise<BatchOutcome> {
    const rows = await this.claim(runner);
    if (rows.length === 0) {
      return {
        claimed: 0,
        published: 0,
        failed: 0,
        deadLettered: 0,
        publishedRows: [],
        firstError: null,
        deadEventIds: [],
      };
    }
    let errors: Array<string | null>;
    try {
      errors = await this.publish(rows);
    } catch (err) {
      const text = errorText(err);
      errors = rows.map(() => text);
    }
    const published = rows.filter((_, i) => errors[i] === null);
    const failed = rows.flatMap((row, i) =>
      errors[i] === null ? [] : [{ row, error: errors[i] as string }],
    );
    await this.markPublished(runner, published);
    const deadEventIds = await this.markFailed(runner, failed);
    return {
      claimed: rows.length,
      published: published.length,
      failed: failed.length,
      deadLettered: deadEventIds.length,
      publishedRows: published,
      firstError: failed.length > 0 ? failed[0].error : null,
      deadEventIds,
    };
  }

  /**
   * Locks up to batchSize due rows for this transaction, oldest due first
   * (next_attempt_at, then id: the order of the pending index, so the scan
   * stops after batchSize rows however long the backlog; a producer
   * transaction's rows share next_attempt_at and keep their id order). That
   * is the order the stream sees.
   */
  private claim(runner: QueryRunner): Promise<ClaimedRow[]> {
    const { table, batchSize } = this.options;
    // brand-scope: cross-brand outbox poller claims every brand's pending rows
    return queryRecords<ClaimedRow>(
      runner,
      `SELECT id, brand_id, attempts, envelope::text AS envelope FROM ${table}
        WHERE status = 'pending' AND next_attempt_at <= now()
          AND (locked_until IS NULL OR locked_until < now())
        ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batchSize],
    );
  }

  /** One pipelined XADD per row; returns the per-row error text (null = acknowledged). */
  private async publish(rows: ClaimedRow[]): Promise<Array<string | null>> {
    const { redis, stream } = this.options;
    if (redis.status === 'wait') await withTimeout(redis.connect(), this.publishTimeoutMs, 'redis connect');
    // Fail fast instead of parking commands in ioredis' offline queue, which
    // could flush them after the rows were already released for retry.
    if (redis.status !== 'ready') throw new Error(`redis not ready (${redis.status})`);
    const pipeline = redis.pipeline();
    for (const row of rows) pipeline.xadd(stream, '*', 'event', row.envelope);
    const results = await withTimeout(pipeline.exec(), this.publishTimeoutMs, 'redis XADD batch');
    return rows.map((_, i) => {
      const entry = results?.[i];
      if (!entry) return 'no reply from redis';
      return entry[0] ? errorText(entry[0]) : null;
    });
  }

  private async markPublished(runner: QueryRunner, rows: ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { table } = this.options;
    // The rows are locked by this transaction since the claim, so they are still pending: no status
    // filter, which would also tempt the planner into reading the pending index instead of the pkey.
    // brand-scope: cross-brand outbox poller marks the rows it holds locked and just published, by id
    await queryRecords(
      runner,
      `UPDATE ${table} SET status = 'published', published_at = now(), locked_until = NULL, locked_by = NULL,
              last_error = NULL
        WHERE id = ANY($1::bigint[])`,
      [rows.map((row) => row.id)],
    );
  }

  /** Records the failure and schedules the retry; returns the event_ids of the rows that went dead. */
  private async markFailed(
    runner: QueryRunner,
    failed: Array<{ row: ClaimedRow; error: string }>,
  ): Promise<string[]> {
    if (failed.length === 0) return [];
    const { table, maxAttempts } = this.options;
    // brand-scope: cross-brand outbox poller records the failure of the rows it holds locked, by id
    const updated = await queryRecords<{ status: string; event_id: string }>(
      runner,
      `UPDATE ${table} AS t
          SET attempts = t.attempts + 1,
              status = CASE WHEN t.attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END,
              next_attempt_at = now() + f.delay_ms * interval '1 millisecond',
              last_error = f.error, locked_until = NULL, locked_by = NULL
         FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS f(id, delay_ms, error)
        WHERE t.id = f.id AND t.status = 'pending'
        RETURNING t.status, t.event_id`,
      [
        failed.map(({ row }) => row.id),
        failed.map(({ row }) => backoffMs(row.attempts + 1, this.backoff)),
        failed.map(({ error }) => error),
        maxAttempts,
      ],
    );
    return updated.filter((row) => row.status === 'dead').map((row) => row.event_id);
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
    logger.warn({
      msg: 'outbox publish failed',
      table,
      stream,
      rows: outcome.failed,
      error: outcome.firstError,
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
