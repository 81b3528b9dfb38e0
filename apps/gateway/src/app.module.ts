import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '@app/config';
import { CoreModule } from '@app/platform';
import { GATEWAY_PIPELINE } from './pipeline/declaration';
import { JWT_KEY_SOURCE, type JwtKeySource, keySourceFromConfig, PlayerTokens } from './auth/player-tokens';
import { Downstreams } from './proxy/downstreams';
import { ProxyRoute } from './proxy/proxy.route';
import { ProxyService } from './proxy/proxy.service';
import { RateLimiter } from './rate-limit/rate-limiter';
import { RedisThrottlerStorage } from './rate-limit/redis-throttler.storage';
import { SessionCache } from './session/session-cache';

export {
  assertGatewayPipeline,
  GATEWAY_PIPELINE,
  GATEWAY_STEP_ORDER,
  GATEWAY_UNPIPED_PATHS,
} from './pipeline/declaration';

export interface GatewayModuleOptions {
  /** Where JWT public keys are (re-)read from; defaults to JWT_PUBLIC_KEYS / JWT_PUBLIC_KEYS_FILE. */
  keySource?: JwtKeySource;
}

@Module({})
/** gateway: the player-facing edge (seed 003, issue 3); its pipeline is declared in pipeline/declaration.ts. */
export class GatewayModule {
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
        // The pipeline's steps, resolved by ProxyRoute for its onRequest hook.
        ...GATEWAY_PIPELINE.providers(),
      ],
    };
  }
}
