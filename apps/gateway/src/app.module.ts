import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { ClsMiddleware } from 'nestjs-cls';
import type { GatewayConfig } from '@app/config';
import { MiddlewarePipeline } from '@app/middleware-order';
import { CoreModule } from '@app/platform';
import { JWT_KEY_SOURCE, type JwtKeySource, keySourceFromConfig, PlayerTokens } from './auth/player-tokens';
import { BrandEnforcementMiddleware } from './pipeline/brand-enforcement.middleware';
import { BrandResolutionMiddleware } from './pipeline/brand-resolution.middleware';
import { JwtAuthMiddleware } from './pipeline/jwt-auth.middleware';
import { RateLimitMiddleware } from './pipeline/rate-limit.middleware';
import { SessionCheckMiddleware } from './pipeline/session-check.middleware';
import { Downstreams } from './proxy/downstreams';
import { ProxyRoute } from './proxy/proxy.route';
import { ProxyService } from './proxy/proxy.service';
import { RateLimiter } from './rate-limit/rate-limiter';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
import { SessionCache } from './session/session-cache';

/**
 * gateway: the player-facing edge (seed 003, issue 3). The pipeline is
 * declared once, here, in the order the seed requires: request id → brand
 * resolution → JWT auth → session cross-check → brand enforcement → rate
 * limit, then the proxy route (proxy/proxy.route.ts). Brand resolution must run before JWT auth
 * so the session lookup reads the brand-prefixed key (T7-B5 / T8-D2); the
 * order is asserted when the module is configured, so a reordered pipeline
 * refuses to boot, and test/gateway/middleware-order.e2e-spec.ts fails.
 */
export const GATEWAY_PIPELINE = new MiddlewarePipeline([
  { name: 'request-id', middleware: ClsMiddleware },
  { name: 'brand-resolution', middleware: BrandResolutionMiddleware },
  { name: 'jwt-auth', middleware: JwtAuthMiddleware },
  { name: 'session-check', middleware: SessionCheckMiddleware },
  { name: 'brand-enforcement', middleware: BrandEnforcementMiddleware },
  { name: 'rate-limit', middleware: RateLimitMiddleware },
]);

/** The required order, each step before the next. */
export const GATEWAY_STEP_ORDER = [
  'request-id',
  'brand-resolution',
  'jwt-auth',
  'session-check',
  'brand-enforcement',
  'rate-limit',
] as const;

/** Throws MiddlewareOrderError unless every required step runs before the one after it. */
export function assertGatewayPipeline(pipeline: MiddlewarePipeline): void {
  for (let i = 1; i < GATEWAY_STEP_ORDER.length; i += 1) {
    pipeline.assertBefore(GATEWAY_STEP_ORDER[i - 1], GATEWAY_STEP_ORDER[i]);
  }
}

export const GATEWAY_UNPIPED_PATHS = ['/health', '/metrics'];

export interface GatewayModuleOptions {
  /** Where JWT public keys are (re-)read from; defaults to JWT_PUBLIC_KEYS / JWT_PUBLIC_KEYS_FILE. */
  keySource?: JwtKeySource;
}

@Module({})
export class GatewayModule implements NestModule {
  static forRoot(config: GatewayConfig, options: GatewayModuleOptions = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [CoreModule.forRoot('gateway', config)],
      providers: [
        { provide: JWT_KEY_SOURCE, useValue: options.keySource ?? keySourceFromConfig(config) },
        PlayerTokens,
        RedisThrottlerStorage,
        RateLimiter,
        SessionCache,
        Downstreams,
        ProxyService,
        ProxyRoute,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    assertGatewayPipeline(GATEWAY_PIPELINE);
    GATEWAY_PIPELINE.apply(consumer, GATEWAY_UNPIPED_PATHS);
  }
}
