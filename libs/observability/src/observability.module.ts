import { DynamicModule, Global, Module, OnModuleInit, Inject, Injectable } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { register } from 'prom-client';
import { ENFORCEMENT_GAUGE_VALUE, ENFORCEMENT_MODE, type EnforcementMode, SERVICE_NAME } from '@app/config';
import { loggerParams } from './logger';
import { Metrics } from './metrics';

@Injectable()
class EnforcementGauge implements OnModuleInit {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(ENFORCEMENT_MODE) private readonly mode: EnforcementMode,
  ) {}

  onModuleInit(): void {
    Metrics.enforcementMode().set({ service: this.service }, ENFORCEMENT_GAUGE_VALUE[this.mode]);
  }
}

/**
 * Logging (nestjs-pino) and Prometheus `/metrics` with default process
 * metrics, for one app. The request context is the app's choice
 * (CoreModule's `requestContext`; see context.ts).
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: { service: string; logLevel: string; metricsPath?: string }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot(loggerParams(options.service, options.logLevel)),
        PrometheusModule.register({
          path: options.metricsPath ?? '/metrics',
          // Default process metrics once per process: a test may boot several apps in one process.
          defaultMetrics: {
            enabled: register.getSingleMetric('process_cpu_user_seconds_total') === undefined,
          },
          defaultLabels: { service: options.service },
        }),
      ],
      providers: [EnforcementGauge],
      exports: [LoggerModule],
    };
  }
}
