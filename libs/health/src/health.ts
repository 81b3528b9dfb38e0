import { Controller, Get, Inject, Res, DynamicModule, Global, Module } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, TerminusModule, type HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { ENFORCEMENT_MODE, type EnforcementMode, SERVICE_NAME } from '@app/config';
import { Status } from '@app/http';
import { RedisHealthCheck } from './redis.indicator';
import { HealthRegistry, type CheckOutcome, type HealthCheckFn, type ProbeKind } from './registry';

/** Paths every app serves outside its request pipeline: never authenticated, never brand-resolved (CONTRACTS §8). */
export const PROBE_PATHS = ['/health', '/healthz', '/metrics'];

/**
 * `/health` of CONTRACTS §8: 200 + status 0 when every check passes, 503 +
 * status 7 with the same data when one fails; never authenticated, never
 * brand-resolved. Checks (db, redis, outbox, scheduler jobs…) are registered
 * by the modules that own the resource, and run as terminus indicators.
 *
 * `/healthz` is the liveness probe (the path seed 004 names beside `/health`):
 * same body, but only the checks registered as liveness ones, so a Redis or
 * PostgreSQL outage or a failed job run takes an instance out of rotation
 * (readiness, `/health`) without the orchestrator restarting every replica.
 */
const CHECK_TIMEOUT_MS = 2000;

async function withTimeout(fn: HealthCheckFn): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<CheckOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, details: { error: 'timeout' } }), CHECK_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    return { ok: false, details: { error: err instanceof Error ? err.message : 'failed' } };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Runs every registered check as a terminus indicator and builds the §8 body. */
export async function evaluateHealth(
  health: HealthCheckService,
  indicators: HealthIndicatorService,
  registry: HealthRegistry,
  service: string,
  mode: EnforcementMode,
  kind: ProbeKind = 'readiness',
): Promise<{ httpStatus: number; body: { status: number; msg: string; data: Record<string, unknown> } }> {
  const checks: Record<string, string> = {};
  const details: Record<string, unknown> = {};
  let healthy = true;
  const indicatorFns = registry.entries(kind).map(([name, fn]) => async (): Promise<HealthIndicatorResult> => {
    const outcome = await withTimeout(fn);
    checks[name] = outcome.ok ? 'ok' : 'down';
    if (outcome.details) details[name] = outcome.details;
    const indicator = indicators.check(name);
    return outcome.ok ? indicator.up(outcome.details) : indicator.down(outcome.details);
  });
  try {
    await health.check(indicatorFns);
  } catch {
    healthy = false;
  }
  const data = { service, multi_brand_enforcement: mode, jwt_kid: null as unknown, ...registry.infoFields(), checks, details };
  return {
    httpStatus: healthy ? 200 : 503,
    body: { status: healthy ? Status.OK : Status.DOWNSTREAM_UNAVAILABLE, msg: healthy ? 'ok' : 'unhealthy', data },
  };
}

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly registry: HealthRegistry,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(ENFORCEMENT_MODE) private readonly mode: EnforcementMode,
  ) {}

  @Get('/health')
  async check(@Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, 'readiness');
  }

  @Get('/healthz')
  async live(@Res() reply: FastifyReply): Promise<void> {
    await this.answer(reply, 'liveness');
  }

  private async answer(reply: FastifyReply, kind: ProbeKind): Promise<void> {
    const { httpStatus, body } = await evaluateHealth(
      this.health,
      this.indicators,
      this.registry,
      this.service,
      this.mode,
      kind,
    );
    void reply.status(httpStatus).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

@Global()
@Module({})
export class HealthModule {
  static forRoot(options: { redis?: boolean; controller?: boolean } = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
      controllers: options.controller === false ? [] : [HealthController],
      providers: options.redis === false ? [HealthRegistry] : [HealthRegistry, RedisHealthCheck],
      exports: [HealthRegistry, TerminusModule],
    };
  }
}
