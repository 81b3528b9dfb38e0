import { type DynamicModule, Module } from '@nestjs/common';
import { AppConfigModule, type CommonConfig, SERVICE_LABEL, type ServiceName } from '@app/config';
import { BrandContextModule } from '@app/brand-context';
import { HealthModule } from '@app/health';
import { NoRequestContextModule, ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { HealthInfoDefaults } from './health-info';

/**
 * The platform every app imports first: validated config and enforcement
 * mode, logging + metrics, the request context (`requestContext`: player,
 * agent and admin pass `ClsRequestContextModule.forRoot()` from
 * @app/request-context; the default has none, see @app/observability
 * context.ts), Redis, brand context and health.
 */
@Module({})
export class CoreModule {
  static forRoot(
    service: ServiceName,
    config: CommonConfig & { DOMAIN_CACHE_TTL_SECONDS?: number },
    options: { healthController?: boolean; requestContext?: DynamicModule } = {},
  ): DynamicModule {
    const label = SERVICE_LABEL[service];
    return {
      module: CoreModule,
      imports: [
        AppConfigModule.forRoot(service, config),
        ObservabilityModule.forRoot({ service: label, logLevel: config.LOG_LEVEL }),
        options.requestContext ?? NoRequestContextModule.forRoot(),
        RedisModule.forRoot(config.REDIS_URL, label),
        BrandContextModule.forRoot({ domainCacheTtlSeconds: config.DOMAIN_CACHE_TTL_SECONDS }),
        HealthModule.forRoot({ controller: options.healthController }),
      ],
      providers: [HealthInfoDefaults],
      exports: [AppConfigModule, ObservabilityModule, RedisModule, BrandContextModule, HealthModule],
    };
  }
}
