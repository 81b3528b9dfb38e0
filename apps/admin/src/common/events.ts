/**
 * Redis pub/sub invalidations of seed 004 / CONTRACTS §4: BRAND_CATALOG_CHANGED
 * after brand writes (game_service reverse-parse caches), AGENT_BRAND_CHANGED
 * after agent_brand writes (agent_service allow-list caches),
 * BRAND_PROVIDER_CHANGED after brand_provider_config writes. PostgreSQL is
 * the source of truth and the caches also expire, so a failed publish is
 * logged, not turned into a failed write.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@app/redis';
import { currentRequestId } from '@app/observability';

export const BRAND_CATALOG_CHANGED = 'BRAND_CATALOG_CHANGED';
export const AGENT_BRAND_CHANGED = 'AGENT_BRAND_CHANGED';
export const BRAND_PROVIDER_CHANGED = 'BRAND_PROVIDER_CHANGED';

export type AdminChannel =
  typeof BRAND_CATALOG_CHANGED | typeof AGENT_BRAND_CHANGED | typeof BRAND_PROVIDER_CHANGED;

@Injectable()
export class AdminEvents {
  private readonly logger = new Logger('AdminEvents');

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async publish(channel: AdminChannel, payload: Record<string, unknown>): Promise<void> {
    const message = JSON.stringify({
      ...payload,
      request_id: currentRequestId(),
      at: new Date().toISOString(),
    });
    try {
      await this.redis.publish(channel, message);
    } catch (err) {
      this.logger.error(
        { channel, err: err instanceof Error ? err.message : String(err) },
        'invalidation publish failed',
      );
    }
  }
}
