/**
 * The worker heartbeat file (CONTRACTS §1: workers write
 * WORKER_HEARTBEAT_FILE; seed 004: admin_worker health depends on the
 * heartbeat). Rewritten every HEARTBEAT_INTERVAL_MS and after every job run,
 * write-then-rename so a supervisor never reads half a file; it carries the
 * per-job last success / failure summary.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { rename, writeFile } from 'node:fs/promises';
import { JobRunner } from './jobs/job-runner';
import { WORKER_OPTIONS, type WorkerOptions } from './jobs/worker-options';

export const HEARTBEAT_INTERVAL_MS = 15_000;

@Injectable()
export class Heartbeat implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AdminWorkerHeartbeat');
  private writes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
    private readonly runner: JobRunner,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.heartbeatFile) return;
    this.runner.onRun(() => void this.beat());
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async beat(): Promise<void> {
    const file = this.options.heartbeatFile;
    if (!file) return;
    const jobs = Object.fromEntries(
      Object.entries(this.runner.snapshot()).map(([name, s]) => [
        name,
        {
          enabled: s.enabled,
          last_success_at: s.last_success_at,
          last_failure_at: s.last_failure_at,
          last_error: s.last_error,
        },
      ]),
    );
    const body = JSON.stringify({
      timestamp: new Date().toISOString(),
      service: 'admin_worker',
      pid: process.pid,
      jobs,
    });
    try {
      // A unique temporary name per write: job completions and the interval may write at once.
      const tmp = `${file}.${process.pid}.${++this.writes}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, file);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'heartbeat write failed');
    }
  }
}
