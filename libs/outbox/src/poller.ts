/**
 * Outbox publisher loop run by player_worker / agent_worker (seeds 000/001
 * "Background Work", CONTRACTS §4/§6). Delivery is at-least-once:
 * - rows are claimed with a time-limited lease (FOR UPDATE SKIP LOCKED), so
 *   two workers never claim the same row while a lease is live, and a worker
 *   killed mid-batch (SIGKILL) only delays its rows until the lease expires;
 * - a row is marked published only after Redis acknowledged its XADD, so a
 *   crash between XADD and the UPDATE republishes it (consumers dedup on
 *   event_id);
 * - failed publishes back off exponentially and dead-letter after maxAttempts.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { Metrics } from '@app/observability';
import { backlogStatus, type OutboxBacklog } from './backlog';
import { backoffMs, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { assertOutboxTable, OUTBOX_STREAMS, type OutboxStream, type OutboxTable } from './event';
import { queryRecords } from './sql';

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
  /** Written to locked_by; unique per process (host + pid is typical). */
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
  envelope: unknown;
}

const MAX_ERROR_LENGTH = 500;

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
      await this.refreshBacklog();
      this.lastLoopAt = new Date();
      await this.writeHeartbeat();
      // A full batch means more rows are probably waiting: drain without sleeping.
      if (!full && this.running) await this.sleep(this.options.pollIntervalMs);
    }
  }

  /** One claim → publish → mark cycle. Public so tests and tools can drive the loop step by step. */
  async runOnce(): Promise<BatchResult> {
    const rows = await this.claim();
    if (rows.length === 0) {
      this.lastError = null;
      return { claimed: 0, published: 0, failed: 0, deadLettered: 0 };
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
    await this.markPublished(published);
    const deadLettered = await this.markFailed(failed);
    this.lastError = failed.length > 0 ? failed[0].error : null;
    return { claimed: rows.length, published: published.length, failed: failed.length, deadLettered };
  }

  private async claim(): Promise<ClaimedRow[]> {
    const { dataSource, table, workerId, leaseSeconds, batchSize } = this.options;
    // brand-scope: cross-brand outbox poller claims every brand's pending rows
    const rows = await queryRecords<ClaimedRow>(
      dataSource,
      `UPDATE ${table} SET locked_until = now() + make_interval(secs => $2), locked_by = $1
        WHERE id IN (SELECT id FROM ${table}
                      WHERE status = 'pending' AND next_attempt_at <= now()
                        AND (locked_until IS NULL OR locked_until < now())
                      ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, brand_id, attempts, envelope`,
      [workerId, leaseSeconds, batchSize],
    );
    // RETURNING has no order guarantee; the stream must see rows in id order.
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** One pipelined XADD per row; returns the per-row error text (null = acknowledged). */
  private async publish(rows: ClaimedRow[]): Promise<Array<string | null>> {
    const { redis, stream } = this.options;
    if (redis.status === 'wait') await withTimeout(redis.connect(), this.publishTimeoutMs, 'redis connect');
    // Fail fast instead of parking commands in ioredis' offline queue, which
    // could flush them after the rows were already released for retry.
    if (redis.status !== 'ready') throw new Error(`redis not ready (${redis.status})`);
    const pipeline = redis.pipeline();
    for (const row of rows) pipeline.xadd(stream, '*', 'event', JSON.stringify(row.envelope));
    const results = await withTimeout(pipeline.exec(), this.publishTimeoutMs, 'redis XADD batch');
    return rows.map((_, i) => {
      const entry = results?.[i];
      if (!entry) return 'no reply from redis';
      return entry[0] ? errorText(entry[0]) : null;
    });
  }

  private async markPublished(rows: ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { dataSource, table, service, stream } = this.options;
    // brand-scope: cross-brand outbox poller marks the rows it just published, by id
    await queryRecords(
      dataSource,
      `UPDATE ${table} SET status = 'published', published_at = now(), locked_until = NULL, locked_by = NULL,
              last_error = NULL
        WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
      [rows.map((row) => row.id)],
    );
    const perBrand = new Map<number, number>();
    for (const row of rows) perBrand.set(row.brand_id, (perBrand.get(row.brand_id) ?? 0) + 1);
    for (const [brand, count] of perBrand)
      Metrics.outboxPublished().inc({ service, stream, brand: String(brand) }, count);
  }

  /** Records the failure, schedules the retry and releases the lease; returns how many rows went dead. */
  private async markFailed(failed: Array<{ row: ClaimedRow; error: string }>): Promise<number> {
    if (failed.length === 0) return 0;
    const { dataSource, table, service, stream, workerId, maxAttempts, logger } = this.options;
    Metrics.outboxFailed().inc({ service, stream }, failed.length);
    // brand-scope: cross-brand outbox poller releases the failed rows it holds the lease on, by id
    const updated = await queryRecords<{ id: string; status: string; event_id: string }>(
      dataSource,
      `UPDATE ${table} AS t
          SET attempts = t.attempts + 1,
              status = CASE WHEN t.attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END,
              next_attempt_at = now() + f.delay_ms * interval '1 millisecond',
              last_error = f.error, locked_until = NULL, locked_by = NULL
         FROM unnest($1::bigint[], $2::float8[], $3::text[]) AS f(id, delay_ms, error)
        WHERE t.id = f.id AND t.locked_by = $5 AND t.status = 'pending'
        RETURNING t.id, t.status, t.event_id`,
      [
        failed.map(({ row }) => row.id),
        failed.map(({ row }) => backoffMs(row.attempts + 1, this.backoff)),
        failed.map(({ error }) => error),
        maxAttempts,
        workerId,
      ],
    );
    const dead = updated.filter((row) => row.status === 'dead');
    logger.warn({ msg: 'outbox publish failed', table, stream, rows: failed.length, error: failed[0].error });
    if (dead.length > 0) {
      Metrics.outboxDeadLettered().inc({ service, stream }, dead.length);
      logger.error({
        msg: 'outbox rows dead-lettered',
        table,
        stream,
        event_ids: dead.map((row) => row.event_id),
      });
    }
    return dead.length;
  }

  private async refreshBacklog(): Promise<void> {
    const { dataSource, table, service } = this.options;
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
