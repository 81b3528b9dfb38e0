import { Injectable } from '@nestjs/common';

/** Named health checks and info fields contributed by the modules that own them. */
export interface CheckOutcome {
  ok: boolean;
  details?: Record<string, unknown>;
}
export type HealthCheckFn = () => Promise<CheckOutcome>;

@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();
  private readonly info = new Map<string, () => unknown>();

  register(name: string, fn: HealthCheckFn): void {
    this.checks.set(name, fn);
  }

  setInfo(name: string, value: () => unknown): void {
    this.info.set(name, value);
  }

  entries(): [string, HealthCheckFn][] {
    return [...this.checks.entries()];
  }

  infoFields(): Record<string, unknown> {
    return Object.fromEntries([...this.info.entries()].map(([k, fn]) => [k, fn()]));
  }
}

