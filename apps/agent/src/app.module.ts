/**
 * agent_service (seed 001): the agent portal with an empty prefix, its
 * legacy aliases, and the agent_brand allow list of ADR-009.
 *
 * Request path, declared once:
 *   middleware  request-id → brand-resolution → agent-jwt-auth
 *   guards      agent-auth (token required unless @public) → agent-brand (allow list)
 * Brand resolution must run before JWT auth (the token's brand is compared
 * with the domain's, and the allow list is keyed by the domain's brand); the
 * order is asserted when the module is configured, so a reorder fails boot.
 * `/health` and `/metrics` are outside the pipeline (CONTRACTS §8).
 */
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsMiddleware } from 'nestjs-cls';
import { ClsRequestContextModule } from '@app/request-context';
import type { AgentConfig } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MiddlewarePipeline } from '@app/middleware-order';
import { CoreModule } from '@app/platform';
import { SmsModule } from '@app/sms';
import { AgentJwtMiddleware } from './edge/agent-jwt.middleware';
import { AgentBrandResolutionMiddleware } from './edge/brand-resolution.middleware';
import { AgentAuthGuard, AgentBrandGuard } from './edge/guards';
import { AgentFeaturesModule } from './features.module';
import { EnvelopeInterceptor } from './http/envelope.interceptor';
import { AGENT_SERVICE, AgentSharedModule } from './shared/agent-shared.module';
import { PROBE_PATHS } from '@app/health';

export const AGENT_PIPELINE = new MiddlewarePipeline([
  { name: 'request-id', middleware: ClsMiddleware },
  { name: 'brand-resolution', middleware: AgentBrandResolutionMiddleware },
  { name: 'agent-jwt-auth', middleware: AgentJwtMiddleware },
]);

/** The guards that follow the pipeline, in the order Nest runs them. */
export const AGENT_GUARDS = [AgentAuthGuard, AgentBrandGuard] as const;

export const PIPELINE_EXCLUDES = PROBE_PATHS;

@Module({})
export class AgentModule implements NestModule {
  static forRoot(config: AgentConfig): DynamicModule {
    return {
      module: AgentModule,
      imports: [
        CoreModule.forRoot('agent', config, { requestContext: ClsRequestContextModule.forRoot() }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          applicationName: AGENT_SERVICE,
        }),
        SmsModule.forRoot(config),
        AgentSharedModule.forRoot(config),
        AgentFeaturesModule,
      ],
      providers: [
        ...AGENT_GUARDS.map((guard) => ({ provide: APP_GUARD, useClass: guard })),
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    AGENT_PIPELINE.assertBefore('request-id', 'brand-resolution');
    AGENT_PIPELINE.assertBefore('brand-resolution', 'agent-jwt-auth');
    AGENT_PIPELINE.apply(consumer, PIPELINE_EXCLUDES);
  }
}
