/**
 * The outbox publisher as a reusable Nest module (seeds 000/001 "Background
 * Work": player_worker / agent_worker run the outbox loop; the APIs run with
 * ENABLE_OUTBOX_POLLER=false). It owns one OutboxPoller over the app's
 * DataSource and Redis client and:
 * - starts it after bootstrap when `enabled`;
 * - registers the `outbox` health check as "loop alive": running, and the
 *   last loop finished within `staleAfterMs` (CONTRACTS §8, seed 000 "worker
 *   exposes its own heartbeat/health");
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
import { OutboxPoller, type OutboxPollerStatus } from './poller';

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

/** The health verdict of a poller's loop, exported for tests and custom checks. */
export function outboxLoopHealth(
  status: OutboxPollerStatus,
  options: { enabled: boolean; startedAt: number | null; staleAfterMs: number; now?: number },
): { ok: boolean; details: Record<string, unknown> } {
  const now = options.now ?? Date.now();
  const details = {
    enabled: options.enabled,
    running: status.running,
    last_loop_at: status.lastLoopAt,
    last_error: status.lastError,
    backlog: status.backlog,
    oldest_pending_age_seconds: status.oldestPendingAgeSeconds,
    waiting_on_open_transactions: status.waitingOnOpenTransactions,
  };
  if (!options.enabled) return { ok: true, details };
  const last = status.lastLoopAt ? Date.parse(status.lastLoopAt) : options.startedAt;
  const alive = status.running && last !== null && now - last <= options.staleAfterMs;
  return { ok: alive, details };
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
      logger: new Logger('OutboxPoller'),
    });
  }

  onApplicationBootstrap(): void {
    this.health.register('outbox', async () =>
      outboxLoopHealth(this.poller.status(), {
        enabled: this.options.enabled,
        startedAt: this.startedAt,
        staleAfterMs: this.staleAfterMs,
      }),
    );
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
