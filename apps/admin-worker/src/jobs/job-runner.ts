/**
 * Runs admin_worker jobs and remembers how each one last went (seed 004
 * Health: "admin_worker health depends on heartbeat plus scheduler and
 * job-health readiness"). `/health` gets a `jobs` check that fails while any
 * job's latest run failed, with every job's last success, last failure and
 * last error in its details; metrics count runs by outcome. A job still
 * running when its next tick comes is skipped, not stacked.
 */
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@app/health';
import { counter, gauge, histogram } from '@app/observability';
import type { AdminJob, JobSummary } from './job';

export interface JobState {
  enabled: boolean;
  running: boolean;
  runs: number;
  failures: number;
  last_started_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_result: JobSummary | null;
}

export type RunOutcome =
  | { outcome: 'success'; result: JobSummary }
  | { outcome: 'failure'; error: string }
  | { outcome: 'skipped'; reason: 'already_running' | 'disabled' };

const runsTotal = () =>
  counter('admin_worker_job_runs_total', 'admin_worker job runs by outcome', ['job', 'outcome'] as const);
const duration = () =>
  histogram(
    'admin_worker_job_duration_seconds',
    'admin_worker job run time',
    ['job'] as const,
    [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  );
const lastSuccess = () =>
  gauge('admin_worker_job_last_success_timestamp_seconds', 'Unix time of the last successful run', [
    'job',
  ] as const);

@Injectable()
export class JobRunner implements OnModuleInit {
  private readonly logger = new Logger('AdminWorkerJobs');
  private readonly states = new Map<string, JobState>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly health: HealthRegistry) {}

  onModuleInit(): void {
    this.health.register('jobs', async () => {
      const failing = [...this.states.entries()]
        .filter(([, s]) => s.enabled && s.last_error !== null)
        .map(([n]) => n);
      return {
        ok: failing.length === 0,
        details: { ...this.snapshot(), ...(failing.length ? { failing } : {}) },
      };
    });
  }

  /** Declares a job so /health lists it before its first run; disabled jobs are listed as such. */
  declare(job: AdminJob, enabled = true): void {
    if (!this.states.has(job.name)) {
      this.states.set(job.name, {
        enabled,
        running: false,
        runs: 0,
        failures: 0,
        last_started_at: null,
        last_success_at: null,
        last_failure_at: null,
        last_error: null,
        last_duration_ms: null,
        last_result: null,
      });
    }
  }

  /** Called after every run (the heartbeat writer listens). */
  onRun(listener: () => void): void {
    this.listeners.push(listener);
  }

  async run(job: AdminJob, now: Date = new Date()): Promise<RunOutcome> {
    this.declare(job);
    const state = this.states.get(job.name) as JobState;
    if (!state.enabled) return { outcome: 'skipped', reason: 'disabled' };
    if (state.running) {
      runsTotal().inc({ job: job.name, outcome: 'skipped' });
      return { outcome: 'skipped', reason: 'already_running' };
    }
    state.running = true;
    state.last_started_at = new Date().toISOString();
    const started = process.hrtime.bigint();
    let outcome: RunOutcome;
    try {
      const result = await job.run(now);
      state.last_success_at = new Date().toISOString();
      state.last_error = null;
      state.last_result = result;
      lastSuccess().set({ job: job.name }, Date.now() / 1000);
      outcome = { outcome: 'success', result };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      state.failures++;
      state.last_failure_at = new Date().toISOString();
      state.last_error = message;
      this.logger.error({ job: job.name, err: message }, 'admin worker job failed');
      outcome = { outcome: 'failure', error: message };
    } finally {
      state.running = false;
      state.runs++;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      state.last_duration_ms = Math.round(seconds * 1000);
      duration().observe({ job: job.name }, seconds);
    }
    runsTotal().inc({ job: job.name, outcome: outcome.outcome });
    for (const listener of this.listeners) listener();
    return outcome;
  }

  state(name: string): JobState | undefined {
    const s = this.states.get(name);
    return s ? { ...s } : undefined;
  }

  snapshot(): Record<string, JobState> {
    return Object.fromEntries([...this.states.entries()].map(([name, s]) => [name, { ...s }]));
  }
}
