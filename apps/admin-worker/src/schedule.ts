/**
 * When each admin_worker job runs (@nestjs/schedule). Kept thin on purpose:
 * every method only hands its job to the JobRunner, which owns error
 * capture, overlap protection and the health state. Day boundaries inside
 * the jobs use ADMIN_WORKER_TIMEZONE; these ticks are plain intervals.
 */
import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { AttendanceJob } from './jobs/attendance.job';
import { DailyStatisticsJob } from './jobs/daily-statistics.job';
import { DomainMapJob } from './jobs/domain-map.job';
import { ExpirationJob } from './jobs/expiration.job';
import { JobRunner } from './jobs/job-runner';
import { LevelCheckJob } from './jobs/level-check.job';
import { TagJob } from './jobs/tag.job';
import { VeraSyncJob } from './jobs/vera-sync.job';

export const SCHEDULES = {
  domain_map: '*/1 * * * *',
  expiration: '*/1 * * * *',
  daily_statistics: '*/5 * * * *',
  attendance: '*/10 * * * *',
  level_check: '*/10 * * * *',
  tags: '15 * * * *',
  vera_sync: '30 * * * *',
} as const;

@Injectable()
export class JobSchedule {
  constructor(
    private readonly runner: JobRunner,
    private readonly domainMap: DomainMapJob,
    private readonly expiration: ExpirationJob,
    private readonly statistics: DailyStatisticsJob,
    private readonly attendance: AttendanceJob,
    private readonly levels: LevelCheckJob,
    private readonly tags: TagJob,
    private readonly vera: VeraSyncJob,
  ) {
    for (const job of [domainMap, expiration, statistics, attendance, levels, tags]) runner.declare(job);
    runner.declare(vera, vera.enabled);
  }

  @Cron(SCHEDULES.domain_map, { name: 'domain_map' })
  runDomainMap() {
    return this.runner.run(this.domainMap);
  }

  @Cron(SCHEDULES.expiration, { name: 'expiration' })
  runExpiration() {
    return this.runner.run(this.expiration);
  }

  @Cron(SCHEDULES.daily_statistics, { name: 'daily_statistics' })
  runStatistics() {
    return this.runner.run(this.statistics);
  }

  @Cron(SCHEDULES.attendance, { name: 'attendance' })
  runAttendance() {
    return this.runner.run(this.attendance);
  }

  @Cron(SCHEDULES.level_check, { name: 'level_check' })
  runLevelCheck() {
    return this.runner.run(this.levels);
  }

  @Cron(SCHEDULES.tags, { name: 'tags' })
  runTags() {
    return this.runner.run(this.tags);
  }

  @Cron(SCHEDULES.vera_sync, { name: 'vera_sync' })
  runVeraSync() {
    return this.runner.run(this.vera);
  }
}
