/**
 * The agent_brand allow list as agent_service reads it (seed 001, ADR-009):
 * `agent_brand(agent_id, brand_id, status)` is written by admin_service only;
 * here it is cached per process for AGENT_BRAND_CACHE_TTL_SECONDS (60 s) and
 * invalidated by the `AGENT_BRAND_CHANGED` pub/sub channel (payload JSON with
 * `agent_id` and/or `brand_id`). A lookup that started before an
 * invalidation is never cached after it, and the whole cache is dropped when
 * the subscriber reconnects (messages sent during an outage are lost).
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { type BrandId, Database } from '@app/database';
import { REDIS_SUBSCRIBER } from '@app/redis';

export const AGENT_BRAND_CHANGED = 'AGENT_BRAND_CHANGED';
export const AGENT_BRAND_CACHE_TTL_MS = Symbol('AGENT_BRAND_CACHE_TTL_MS');

const SUBSCRIBE_WAIT_MS = 2000;

interface Entry {
  enabled: boolean;
  until: number;
}

function positiveInt(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}

@Injectable()
export class AgentBrandAllowList implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AgentBrandAllowList');
  private readonly cache = new Map<string, Entry>();
  private generation = 0;
  private readonly onMessage = (channel: string, message: string): void => {
    if (channel === AGENT_BRAND_CHANGED) this.invalidate(message);
  };
  private readonly onReady = (): void => this.clear();

  constructor(
    private readonly db: Database,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(AGENT_BRAND_CACHE_TTL_MS) private readonly ttlMs: number,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber.on('message', this.onMessage);
    this.subscriber.on('ready', this.onReady);
    const subscribed = this.subscriber.subscribe(AGENT_BRAND_CHANGED).then(
      () => true,
      (err: unknown) => {
        this.logger.warn(
          { channel: AGENT_BRAND_CHANGED, err: err instanceof Error ? err.message : String(err) },
          'subscribe failed',
        );
        return false;
      },
    );
    // Boot does not wait on Redis; the subscription is replayed when it connects.
    await Promise.race([
      subscribed,
      new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref()),
    ]);
  }

  onModuleDestroy(): void {
    this.subscriber.off('message', this.onMessage);
    this.subscriber.off('ready', this.onReady);
  }

  async isEnabled(agentId: number, brandId: BrandId): Promise<boolean> {
    const key = `${agentId}:${brandId}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.enabled;
    const generation = this.generation;
    const enabled = await this.load(agentId, brandId);
    if (this.ttlMs > 0 && generation === this.generation) {
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(key, { enabled, until: now + this.ttlMs });
    }
    return enabled;
  }

  /** Applies one AGENT_BRAND_CHANGED message; an unreadable one drops everything. */
  invalidate(message: string): void {
    this.generation += 1;
    let agentId: number | null = null;
    let brandId: number | null = null;
    try {
      const parsed = JSON.parse(message) as Record<string, unknown>;
      agentId = positiveInt(parsed.agent_id);
      brandId = positiveInt(parsed.brand_id);
    } catch {
      // handled below: nothing identified, so nothing cached can be trusted
    }
    if (agentId === null && brandId === null) {
      this.cache.clear();
      return;
    }
    for (const key of [...this.cache.keys()]) {
      const [a, b] = key.split(':').map(Number);
      if ((agentId === null || a === agentId) && (brandId === null || b === brandId)) this.cache.delete(key);
    }
  }

  clear(): void {
    this.generation += 1;
    this.cache.clear();
  }

  private async load(agentId: number, brandId: BrandId): Promise<boolean> {
    const result = await this.db.brandTransaction(brandId, (tx) =>
      tx.sql<{ status: string }>(`SELECT status FROM agent_brand WHERE brand_id = $1 AND agent_id = $2`, [
        agentId,
      ]),
    );
    return result.rows[0]?.status === 'enabled';
  }
}
