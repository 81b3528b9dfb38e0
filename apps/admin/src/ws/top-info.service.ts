/**
 * Top-info aggregation for the admin socket (seed 004 Purpose: "admin_service
 * ... owns top-info websocket delivery"; Events: "internal websocket sync
 * hooks are used to refresh top-info after meaningful state changes").
 *
 * Counts are read brand by brand through `Database.brandTransaction`, so each
 * statement is pinned to one brand (ADR-009: no cross-brand reads in domain
 * paths); only the brand catalog, which is global, is listed directly.
 * A refresh on one admin instance is fanned out to the others through Redis
 * pub/sub, so operators connected anywhere see it; Redis being down only
 * loses that fan-out, never the local push.
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { asBrandId, Database } from '@app/database';
import { REDIS, REDIS_SUBSCRIBER } from '@app/redis';
import { WsClientRegistry } from './ws-clients';

export const TOP_INFO_CHANNEL = 'ADMIN_TOP_INFO_REFRESH';
export const TOP_INFO_EVENT = 'top_info';

export interface BrandTopInfo {
  brand_id: number;
  brand_code: string;
  /** player_deposit rows waiting for approval. */
  pending_deposits: number;
  /** player_withdraw rows waiting for review. */
  pending_withdrawals: number;
  /** player_withdraw rows reviewed and waiting for payment. */
  withdrawals_awaiting_payment: number;
  /** agent_withdraw rows waiting for approval. */
  pending_agent_withdrawals: number;
}

export interface TopInfoSnapshot {
  generated_at: string;
  brands: BrandTopInfo[];
  totals: {
    pending_deposits: number;
    pending_withdrawals: number;
    withdrawals_awaiting_payment: number;
    pending_agent_withdrawals: number;
  };
}

interface BrandRow {
  id: number;
  brand_code: string;
}

interface CountRow {
  pending_deposits: string;
  pending_withdrawals: string;
  withdrawals_awaiting_payment: string;
  pending_agent_withdrawals: string;
}

const COUNTS_SQL = `
  SELECT
    (SELECT count(*) FROM player_deposit WHERE brand_id = $1 AND status = 'pending') AS pending_deposits,
    (SELECT count(*) FROM player_withdraw WHERE brand_id = $1 AND status = 'pending') AS pending_withdrawals,
    (SELECT count(*) FROM player_withdraw WHERE brand_id = $1 AND status = 'review_agreed') AS withdrawals_awaiting_payment,
    (SELECT count(*) FROM agent_withdraw WHERE brand_id = $1 AND status = 'pending') AS pending_agent_withdrawals`;

@Injectable()
export class TopInfoService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AdminTopInfo');
  private readonly instanceId = randomUUID();
  private readonly byBrand = new Map<number, BrandTopInfo>();
  private listener: ((channel: string, message: string) => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly clients: WsClientRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  onModuleInit(): void {
    this.listener = (channel, message) => {
      if (channel !== TOP_INFO_CHANNEL) return;
      let parsed: { origin?: string; brand_id?: number | null };
      try {
        parsed = JSON.parse(message) as typeof parsed;
      } catch {
        return;
      }
      if (parsed.origin === this.instanceId) return;
      void this.refreshAndPush(typeof parsed.brand_id === 'number' ? parsed.brand_id : undefined).catch(
        (err: unknown) =>
          this.logger.warn({ err: (err as Error).message }, 'top-info refresh from another instance failed'),
      );
    };
    this.subscriber.on('message', this.listener);
    // Not awaited: boot must not wait on Redis; the subscriber replays SUBSCRIBE after reconnects.
    this.subscriber
      .subscribe(TOP_INFO_CHANNEL)
      .catch((err: unknown) =>
        this.logger.warn({ err: (err as Error).message }, 'top-info channel subscribe failed'),
      );
  }

  onModuleDestroy(): void {
    if (this.listener) this.subscriber.removeListener('message', this.listener);
  }

  /** Recomputes every brand (or one) and returns the whole snapshot. */
  async compute(brandId?: number): Promise<TopInfoSnapshot> {
    const brands = await this.brands();
    const known = new Set(brands.map((b) => b.id));
    for (const id of this.byBrand.keys()) if (!known.has(id)) this.byBrand.delete(id);
    for (const brand of brands) {
      if (brandId !== undefined && brand.id !== brandId && this.byBrand.has(brand.id)) continue;
      this.byBrand.set(brand.id, await this.countBrand(brand));
    }
    return this.snapshot(brands.map((b) => b.id));
  }

  /** The hook path: recompute, push to local sockets, tell the other instances. Returns the snapshot and how many sockets got it. */
  async refreshAndPublish(brandId?: number): Promise<{ snapshot: TopInfoSnapshot; pushed: number }> {
    const result = await this.refreshAndPush(brandId);
    try {
      await this.redis.publish(
        TOP_INFO_CHANNEL,
        JSON.stringify({ origin: this.instanceId, brand_id: brandId ?? null }),
      );
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message },
        'top-info fan-out publish failed; only this instance pushed',
      );
    }
    return result;
  }

  private async refreshAndPush(brandId?: number): Promise<{ snapshot: TopInfoSnapshot; pushed: number }> {
    const snapshot = await this.compute(brandId);
    const pushed = this.clients.broadcast(TOP_INFO_EVENT, snapshot);
    return { snapshot, pushed };
  }

  private async brands(): Promise<BrandRow[]> {
    // The brand catalog is global (not brand-scoped); disabled brands have no operators' queue to show.
    const rows = (await this.db.dataSource.query(
      `SELECT id, brand_code FROM brand WHERE status = 'enabled' ORDER BY id`,
    )) as BrandRow[];
    return rows.map((r) => ({ id: Number(r.id), brand_code: r.brand_code }));
  }

  private async countBrand(brand: BrandRow): Promise<BrandTopInfo> {
    const { rows } = await this.db.brandTransaction(asBrandId(brand.id), (tx) =>
      tx.sql<CountRow>(COUNTS_SQL),
    );
    const row = rows[0];
    return {
      brand_id: brand.id,
      brand_code: brand.brand_code,
      pending_deposits: Number(row.pending_deposits),
      pending_withdrawals: Number(row.pending_withdrawals),
      withdrawals_awaiting_payment: Number(row.withdrawals_awaiting_payment),
      pending_agent_withdrawals: Number(row.pending_agent_withdrawals),
    };
  }

  private snapshot(order: number[]): TopInfoSnapshot {
    const brands = order.map((id) => this.byBrand.get(id)).filter((b): b is BrandTopInfo => b !== undefined);
    const sum = (k: keyof TopInfoSnapshot['totals']) => brands.reduce((acc, b) => acc + b[k], 0);
    return {
      generated_at: new Date().toISOString(),
      brands,
      totals: {
        pending_deposits: sum('pending_deposits'),
        pending_withdrawals: sum('pending_withdrawals'),
        withdrawals_awaiting_payment: sum('withdrawals_awaiting_payment'),
        pending_agent_withdrawals: sum('pending_agent_withdrawals'),
      },
    };
  }
}
