import { Injectable } from '@nestjs/common';

/** Named health checks and info fields contributed by the modules that own them. */
export interface CheckOutcome {
  ok: boolean;
  details?: Record<string, unknown>;
}
export type HealthCheckFn = () => Promise<CheckOutcome>;

/** Which checks a probe runs: every check (`/health`, readiness) or the liveness ones (`/healthz`). */
export type ProbeKind = 'readiness' | 'liveness';

export interface CheckOptions {
  /**
   * Also run by `/healthz`: a failure means this process is wedged and a restart would help (a
   * scheduler that stopped), not that a dependency is down or a job's last run failed; those
   * only take the instance out of rotation through `/health`.
   */
  liveness?: boolean;
}

@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();
  private readonly liveness = new Set<string>();
  private readonly info = new Map<string, () => unknown>();

  register(name: string, fn: HealthCheckFn, options: CheckOptions = {}): void {
    this.checks.set(name, fn);
    if (options.liveness) this.liveness.add(name);
    else this.liveness.delete(name);
  }

  setInfo(name: string, value: () => unknown): void {
    this.info.set(name, value);
  }

  entries(kind: ProbeKind = 'readiness'): [string, HealthCheckFn][] {
    const all = [...this.checks.entries()];
    return kind === 'readiness' ? all : all.filter(([name]) => this.liveness.has(name));
  }

  infoFields(): Record<string, unknown> {
    return Object.fromEntries([...this.info.entries()].map(([k, fn]) => [k, fn()]));
  }
}

