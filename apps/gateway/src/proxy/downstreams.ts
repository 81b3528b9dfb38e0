/**
 * gateway seed "Dependencies" + issue 3 point 7: the five owner services the
 * gateway forwards to, and the one DownstreamClient every call goes through
 * (per-caller INTERNAL_SERVICE_TOKEN_GATEWAY, `X-Caller-Service: gateway`,
 * request id, brand id, signed wallet writes, bounded timeouts, failures →
 * status 7). The legacy shared token is used only when the per-caller one is
 * unset (the consumer decides whether to accept it).
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type GatewayConfig } from '@app/config';
import { DownstreamClient } from '@app/downstream';
import type { RouteTarget } from '../routing/routes';

@Injectable()
export class Downstreams implements OnApplicationShutdown {
  readonly client: DownstreamClient;
  private readonly baseUrls: Record<RouteTarget, string>;

  constructor(@Inject(APP_CONFIG) config: GatewayConfig) {
    this.client = new DownstreamClient({
      caller: 'gateway',
      token: config.INTERNAL_SERVICE_TOKEN_GATEWAY,
      legacyToken: config.INTERNAL_SERVICE_TOKEN,
      signingKey: config.BRAND_SIGNING_KEY,
      timeoutMs: config.DOWNSTREAM_TIMEOUT_MS,
      service: 'gateway',
    });
    this.baseUrls = {
      player: config.PLAYER_SERVICE_URL,
      wallet: config.WALLET_SERVICE_URL,
      game: config.GAME_SERVICE_URL,
      rolling: config.ROLLING_SERVICE_URL,
      promotion: config.PROMOTION_SERVICE_URL,
    };
  }

  baseUrl(target: RouteTarget): string {
    return this.baseUrls[target];
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
