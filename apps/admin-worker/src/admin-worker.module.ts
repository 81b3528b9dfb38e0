/**
 * admin_worker (seed 004 "Background Work"): a Nest application context
 * with @nestjs/schedule jobs over the shared platform (config, logs,
 * metrics, Redis, health) and the database. /health (served by the
 * platform's health server) carries `db`, `redis`, `jobs` (each job's last
 * success / failure; down while a job's latest run failed) and `scheduler`
 * (the cron jobs registered and running).
 */
import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import type { AdminWorkerConfig } from '@app/config';
import { Database, DatabaseModule } from '@app/database';
import { HealthRegistry } from '@app/health';
import { CoreModule } from '@app/platform';
import { Heartbeat } from './heartbeat';
import { AttendanceJob } from './jobs/attendance.job';
import { BrandCatalog } from './jobs/brand-catalog';
import { DailyStatisticsJob } from './jobs/daily-statistics.job';
import { DomainMapJob } from './jobs/domain-map.job';
import { ExpirationJob } from './jobs/expiration.job';
import { JobRunner } from './jobs/job-runner';
import { JobTransactions } from './jobs/job-transactions';
import { LevelCheckJob } from './jobs/level-check.job';
import { TagJob } from './jobs/tag.job';
import { VeraSyncJob } from './jobs/vera-sync.job';
import { assertTimeZone, DEFAULT_TIMEZONE } from './jobs/worker-clock';
import { assertJobTimeouts, WORKER_OPTIONS, type WorkerOptions } from './jobs/worker-options';
import { JobSchedule, SCHEDULES } from './schedule';

export const ADMIN_JOBS = [
  DomainMapJob,
  ExpirationJob,
  DailyStatisticsJob,
  AttendanceJob,
  LevelCheckJob,
  TagJob,
  VeraSyncJob,
];

export function workerOptions(config: AdminWorkerConfig, scheduled = true): WorkerOptions {
  assertJobTimeouts(config.ADMIN_WORKER_STATEMENT_TIMEOUT_MS, config.ADMIN_WORKER_LOCK_TIMEOUT_MS);
  return {
    scheduled,
    timeZone: assertTimeZone(config.ADMIN_WORKER_TIMEZONE ?? DEFAULT_TIMEZONE),
    veraSyncUrl: config.VERA_SYNC_URL ?? null,
    heartbeatFile: config.WORKER_HEARTBEAT_FILE ?? null,
    downstreamTimeoutMs: config.DOWNSTREAM_TIMEOUT_MS,
    statementTimeoutMs: config.ADMIN_WORKER_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: config.ADMIN_WORKER_LOCK_TIMEOUT_MS,
  };
}

@Module({})
export class AdminWorkerModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly db: Database,
    private readonly scheduler: SchedulerRegistry,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  /** `schedule: false` builds the same module without cron ticks (tests drive `run(now)` themselves). */
  static forRoot(config: AdminWorkerConfig, options: { schedule?: boolean } = {}): DynamicModule {
    const schedule = options.schedule ?? true;
    return {
      module: AdminWorkerModule,
      imports: [
        CoreModule.forRoot('admin-worker', config, { healthController: false }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          applicationName: 'admin_worker',
        }),
        ScheduleModule.forRoot({ cronJobs: schedule, intervals: false, timeouts: false }),
      ],
      providers: [
        { provide: WORKER_OPTIONS, useValue: workerOptions(config, schedule) },
        BrandCatalog,
        JobTransactions,
        JobRunner,
        Heartbeat,
        JobSchedule,
        ...ADMIN_JOBS,
      ],
      exports: [JobRunner, ...ADMIN_JOBS],
    };
  }

  onModuleInit(): void {
    // A scheduler that stopped is the one failure here a restart fixes: it is also a liveness
    // check (/healthz). A failed job run stays readiness only (`jobs`, seed 004 "job-health
    // readiness"): restarting would wipe its state and hide the failure.
    this.health.register(
      'scheduler',
      async () => {
        const crons = [...this.scheduler.getCronJobs().entries()];
        const active = crons.filter(([, job]) => job.isActive).map(([name]) => name);
        const expected = Object.keys(SCHEDULES);
        const ok = !this.options.scheduled || expected.every((name) => active.includes(name));
        return {
          ok,
          details: { scheduled: this.options.scheduled, active_cron_jobs: active, schedules: SCHEDULES },
        };
      },
      { liveness: true },
    );
    this.health.setInfo('timezone', () => this.options.timeZone);
    this.health.setInfo('vera_sync', () => (this.options.veraSyncUrl ? 'enabled' : 'disabled'));
  }
}
