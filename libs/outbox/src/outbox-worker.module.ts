/**
 * The outbox publisher as a reusable Nest module (seeds 000/001 "Background
 * Work": player_worker / agent_worker run the outbox loop; the APIs run with
 * ENABLE_OUTBOX_POLLER=false). It owns one OutboxPoller over the app's
 * DataSource and Redis client and:
 * - starts it after bootstrap when `enabled`;
 * - registers two health checks (CONTRACTS §8; seed 000 "worker exposes its
 *   own heartbeat/health", seed 001 "heartbeat-backed supervision for outbox
 *   publishing"):
 *   - `outbox_loop`, liveness (`/healthz`, the probe that restarts the pod):
 *     the loop is running and completed an iteration within `staleAfterMs`.
 *     An iteration is time-bounded while PostgreSQL refuses connections or
 *     Redis is down (they fail fast, publishing has a timeout, and the loop's
 *     backoff is capped well inside the window), so such an outage never
 *     restarts the worker; what trips it is an iteration that does not end (a
 *     query that never returns, a pool with no connection to lend, a connect
 *     into a network black hole), which a restart clears;
 *   - `outbox`, readiness (`/health`): the same, and the last
 *     PERSISTENT_ERROR_ITERATIONS iterations did not all fail with the same
 *     error (a missing grant, Redis refusing writes): the worker is up but
 *     publishes nothing, and the details say why;
 * - writes WORKER_HEARTBEAT_FILE after every loop (through the poller);
 * - stops gracefully in `beforeApplicationShutdown`, i.e. before the database
 *   pool and Redis client close in `onApplicationShutdown`: the in-flight
 *   batch is published and the relay cursor moved past it (publishing is
 *   time-bounded), or its failure recorded for retry. A batch runs under the
 *   cursor's row lock inside one transaction, so a SIGKILL releases the cursor
 *   at once (a hung worker's after OUTBOX_LEASE_SECONDS, the
 *   idle-in-transaction timeout) and the next run republishes the batch
 *   (at-least-once; consumers dedup on event_id).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { SERVICE_NAME } from '@app/config';
import { DATA_SOURCE } from '@app/database';
import { HealthRegistry } from '@app/health';
import { REDIS } from '@app/redis';
import type { BackoffOptions } from './backoff';
import type { OutboxStream, OutboxTable } from './event';
import { MAX_LOOP_BACKOFF_MS, OutboxPoller, type OutboxPollerStatus } from './poller';

export interface OutboxWorkerSettings {
  /** ENABLE_OUTBOX_POLLER. */
  enabled: boolean;
  batchSize: number;
  pollIntervalMs: number;
  leaseSeconds: number;
  maxAttempts: number;
  heartbeatFile?: string;
  backoff?: BackoffOptions;
  publishTimeoutMs?: number;
  /** The loop counts as dead when its last pass is older than this; defaults to max(30 s, 20 × poll interval). */
  staleAfterMs?: number;
  /** Readiness fails after this many iterations in a row failed with the same error; defaults to 5. */
  persistentErrorIterations?: number;
}

export interface OutboxWorkerModuleOptions extends OutboxWorkerSettings {
  table: OutboxTable;
  stream: OutboxStream;
}

/** The outbox settings of a validated DatabaseConfig (OUTBOX_*, ENABLE_OUTBOX_POLLER, WORKER_HEARTBEAT_FILE). */
export function outboxSettingsFromConfig(config: {
  ENABLE_OUTBOX_POLLER: string;
  OUTBOX_BATCH_SIZE: number;
  OUTBOX_POLL_INTERVAL_MS: number;
  OUTBOX_LEASE_SECONDS: number;
  OUTBOX_MAX_ATTEMPTS: number;
  WORKER_HEARTBEAT_FILE?: string;
}): OutboxWorkerSettings {
  return {
    enabled: config.ENABLE_OUTBOX_POLLER === 'on',
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    leaseSeconds: config.OUTBOX_LEASE_SECONDS,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    heartbeatFile: config.WORKER_HEARTBEAT_FILE,
  };
}

export const OUTBOX_WORKER_OPTIONS = Symbol('OUTBOX_WORKER_OPTIONS');

/** Iterations in a row failing with the same error after which readiness reports it (default). */
export const PERSISTENT_ERROR_ITERATIONS = 5;

export interface OutboxLoopVerdictOptions {
  enabled: boolean;
  startedAt: number | null;
  staleAfterMs: number;
  /** Readiness only; defaults to PERSISTENT_ERROR_ITERATIONS. */
  persistentErrorIterations?: number;
  now?: number;
}

type Verdict = { ok: boolean; details: Record<string, unknown> };

/** null while the loop completes iterations, else why it is not alive. */
function loopDown(status: OutboxPollerStatus, options: OutboxLoopVerdictOptions): 'stopped' | 'stale' | null {
  if (!status.running) return 'stopped';
  const last = status.lastLoopAt ? Date.parse(status.lastLoopAt) : options.startedAt;
  const now = options.now ?? Date.now();
  return last !== null && now - last <= options.staleAfterMs ? null : 'stale';
}

/** Liveness verdict (`outbox_loop`, /healthz): the loop completes iterations, whatever they end with. */
export function outboxLoopLiveness(status: OutboxPollerStatus, options: OutboxLoopVerdictOptions): Verdict {
  const details: Record<string, unknown> = {
    enabled: options.enabled,
    running: status.running,
    last_loop_at: status.lastLoopAt,
    stale_after_ms: options.staleAfterMs,
  };
  if (!options.enabled) return { ok: true, details };
  const down = loopDown(status, options);
  return down ? { ok: false, details: { ...details, reason: down } } : { ok: true, details };
}

/** Readiness verdict (`outbox`, /health): alive, and not failing with one error iteration after iteration. */
export function outboxLoopHealth(status: OutboxPollerStatus, options: OutboxLoopVerdictOptions): Verdict {
  const details: Record<string, unknown> = {
    enabled: options.enabled,
    running: status.running,
    last_loop_at: status.lastLoopAt,
    last_error: status.lastError,
    failing_iterations: status.failingIterations,
    failing_error: status.failingError,
    failing_since: status.failingSince,
    backlog: status.backlog,
    oldest_pending_age_seconds: status.oldestPendingAgeSeconds,
    waiting_on_open_transactions: status.waitingOnOpenTransactions,
  };
  if (!options.enabled) return { ok: true, details };
  const down = loopDown(status, options);
  if (down) return { ok: false, details: { ...details, reason: down } };
  const persistent =
    status.failingIterations >= (options.persistentErrorIterations ?? PERSISTENT_ERROR_ITERATIONS);
  return persistent
    ? { ok: false, details: { ...details, reason: 'persistent_error' } }
    : { ok: true, details };
}

@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly poller: OutboxPoller;
  readonly workerId: string;
  private readonly logger = new Logger('OutboxWorker');
  private readonly staleAfterMs: number;
  private startedAt: number | null = null;

  constructor(
    @Inject(OUTBOX_WORKER_OPTIONS) private readonly options: OutboxWorkerModuleOptions,
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(REDIS) redis: Redis,
    @Inject(SERVICE_NAME) service: string,
    private readonly health: HealthRegistry,
  ) {
    this.workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.staleAfterMs = options.staleAfterMs ?? Math.max(30_000, options.pollIntervalMs * 20);
    this.poller = new OutboxPoller({
      dataSource,
      redis,
      table: options.table,
      stream: options.stream,
      service,
      workerId: this.workerId,
      batchSize: options.batchSize,
      pollIntervalMs: options.pollIntervalMs,
      leaseSeconds: options.leaseSeconds,
      maxAttempts: options.maxAttempts,
      heartbeatFile: options.heartbeatFile,
      backoff: options.backoff,
      publishTimeoutMs: options.publishTimeoutMs,
      // A failing loop pauses well inside the liveness window (the default window also covers the poll interval).
      maxLoopBackoffMs: Math.min(MAX_LOOP_BACKOFF_MS, Math.floor(this.staleAfterMs / 4)),
      logger: new Logger('OutboxPoller'),
    });
  }

  onApplicationBootstrap(): void {
    const verdict = (): OutboxLoopVerdictOptions => ({
      enabled: this.options.enabled,
      startedAt: this.startedAt,
      staleAfterMs: this.staleAfterMs,
      persistentErrorIterations: this.options.persistentErrorIterations,
    });
    this.health.register('outbox', async () => outboxLoopHealth(this.poller.status(), verdict()));
    // A loop that stopped completing iterations is the one outbox failure a restart fixes.
    this.health.register('outbox_loop', async () => outboxLoopLiveness(this.poller.status(), verdict()), {
      liveness: true,
    });
    if (!this.options.enabled) return;
    this.startedAt = Date.now();
    this.poller.start();
    this.logger.log({
      msg: 'outbox poller started',
      table: this.options.table,
      stream: this.options.stream,
      worker_id: this.workerId,
      batch_size: this.options.batchSize,
    });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!this.options.enabled) return;
    await this.poller.stop();
    this.logger.log({
      msg: 'outbox poller stopped',
      table: this.options.table,
      worker_id: this.workerId,
      signal: signal ?? null,
    });
  }
}

/**
 * `OutboxWorkerModule.forRoot({ table, stream, ...outboxSettingsFromConfig(config) })`.
 * Needs the app's DatabaseModule (DATA_SOURCE), RedisModule (REDIS),
 * HealthModule and AppConfigModule (SERVICE_NAME), all global in CoreModule.
 */
@Module({})
export class OutboxWorkerModule {
  static forRoot(options: OutboxWorkerModuleOptions): DynamicModule {
    return {
      module: OutboxWorkerModule,
      providers: [{ provide: OUTBOX_WORKER_OPTIONS, useValue: options }, OutboxWorker],
      exports: [OutboxWorker],
    };
  }
}
