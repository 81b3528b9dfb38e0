/**
 * Agent coupons (seed 001 `/agent/coupon/*`; issue: "coupon grants and
 * recycles write coupon rows and logs for the request brand and emit agent
 * outbox events that the money side consumes" — agent_service has no wallet
 * client). A grant needs one of the agent's own players in the brand; only a
 * still-granted coupon the agent issued can be recycled (row-locked, so a
 * coupon is recycled once). Each change writes coupon_log (and
 * coupon_recycle_log) rows and its outbox event in one transaction.
 * `feature_policy.coupon_enabled = false` in brand_config turns grants off.
 */
import { Injectable } from '@nestjs/common';
import type { FindOptionsOrder } from 'typeorm';
import { type BrandId, Coupon, CouponLog, CouponRecycleLog, Database } from '@app/database';
import { BusinessRuleError, NotFoundError } from '@app/http';
import { AgentEvents, AgentEventType } from '../shared/agent-events';
import { BrandSettings } from '../shared/brand-settings';
import { type Page, type PageQuery, pageWindow } from '../shared/paging';
import type { CouponLogRow, CouponRecycleLogRow, CouponRow, GrantBody } from './dto';

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

function toCoupon(row: Coupon): CouponRow {
  return {
    id: row.id,
    player_id: Number(row.playerId),
    amount: row.amount,
    status: row.status,
    remark: row.remark,
    expires_at: iso(row.expiresAt),
    recycled_at: iso(row.recycledAt),
    created_at: row.createdAt.toISOString(),
  };
}

@Injectable()
export class CouponService {
  constructor(
    private readonly db: Database,
    private readonly settings: BrandSettings,
    private readonly events: AgentEvents,
  ) {}

  async grant(agentId: number, brandId: BrandId, body: GrantBody): Promise<CouponRow> {
    const features = (await this.settings.values(brandId, ['feature_policy'])).get('feature_policy') as
      Record<string, unknown> | undefined;
    if (features?.coupon_enabled === false)
      throw new BusinessRuleError('coupons are disabled for this brand');
    if (Number(body.amount) <= 0) throw new BusinessRuleError('amount must be positive');
    return this.db.brandTransaction(brandId, async (tx) => {
      const { rows } = await tx.sql(
        `SELECT id FROM player WHERE brand_id = $1 AND id = $2 AND agent_id = $3`,
        [body.player_id, agentId],
      );
      if (rows.length === 0) throw new NotFoundError('player not found');
      const expiresAt = body.expires_in_days
        ? new Date(Date.now() + body.expires_in_days * 86_400_000)
        : null;
      const inserted = await tx.repo(Coupon).insert({
        agentId,
        playerId: body.player_id,
        amount: body.amount,
        status: 'granted',
        remark: body.remark ?? null,
        expiresAt,
      });
      const couponId = Number((inserted.identifiers[0] as { id: number | string }).id);
      await tx.repo(CouponLog).insert({
        couponId,
        agentId,
        playerId: body.player_id,
        action: 'grant',
        amount: body.amount,
        operatorId: `agent:${agentId}`,
        remark: body.remark ?? null,
      });
      const coupon = (await tx.repo(Coupon).findOne({ id: couponId })) as Coupon;
      await this.events.emit(
        tx,
        AgentEventType.COUPON_GRANTED,
        { type: 'coupon', id: couponId },
        {
          coupon_id: couponId,
          agent_id: agentId,
          player_id: body.player_id,
          amount: coupon.amount,
          expires_at: iso(expiresAt),
        },
      );
      return toCoupon(coupon);
    });
  }

  recycle(
    agentId: number,
    brandId: BrandId,
    couponId: number,
    reason: string | undefined,
  ): Promise<CouponRow> {
    return this.db.brandTransaction(brandId, async (tx) => {
      const coupons = tx.repo(Coupon);
      const coupon = await coupons.findOne(
        { id: couponId, agentId },
        { lock: { mode: 'pessimistic_write' } },
      );
      if (!coupon) throw new NotFoundError('coupon not found');
      if (coupon.status !== 'granted')
        throw new BusinessRuleError(`coupon is ${coupon.status} and cannot be recycled`);
      await coupons.update({ id: couponId }, { status: 'recycled', recycledAt: new Date() });
      await tx.repo(CouponRecycleLog).insert({
        couponId,
        agentId,
        playerId: coupon.playerId,
        amount: coupon.amount,
        reason: reason ?? null,
        operatorId: `agent:${agentId}`,
      });
      await tx.repo(CouponLog).insert({
        couponId,
        agentId,
        playerId: coupon.playerId,
        action: 'recycle',
        amount: coupon.amount,
        operatorId: `agent:${agentId}`,
        remark: reason ?? null,
      });
      await this.events.emit(
        tx,
        AgentEventType.COUPON_RECYCLED,
        { type: 'coupon', id: couponId },
        {
          coupon_id: couponId,
          agent_id: agentId,
          player_id: coupon.playerId,
          amount: coupon.amount,
        },
      );
      return toCoupon((await coupons.findOne({ id: couponId })) as Coupon);
    });
  }

  list(agentId: number, brandId: BrandId, query: PageQuery): Promise<Page<CouponRow>> {
    return this.agentPage(Coupon, agentId, brandId, query, toCoupon);
  }

  logs(agentId: number, brandId: BrandId, query: PageQuery): Promise<Page<CouponLogRow>> {
    return this.agentPage(CouponLog, agentId, brandId, query, (row) => ({
      id: row.id,
      coupon_id: row.couponId,
      player_id: row.playerId,
      action: row.action,
      amount: row.amount,
      remark: row.remark,
      created_at: row.createdAt.toISOString(),
    }));
  }

  recycleLogs(agentId: number, brandId: BrandId, query: PageQuery): Promise<Page<CouponRecycleLogRow>> {
    return this.agentPage(CouponRecycleLog, agentId, brandId, query, (row) => ({
      id: row.id,
      coupon_id: row.couponId,
      player_id: row.playerId,
      amount: row.amount,
      reason: row.reason,
      created_at: row.createdAt.toISOString(),
    }));
  }

  /** One page of the agent's rows of a coupon table in the request brand, newest first. */
  private agentPage<E extends Coupon | CouponLog | CouponRecycleLog, R>(
    entity: new () => E,
    agentId: number,
    brandId: BrandId,
    query: PageQuery,
    view: (row: E) => R,
  ): Promise<Page<R>> {
    const { page, size, offset } = pageWindow(query);
    return this.db.brandTransaction(brandId, async (tx) => {
      const repo = tx.repo<E>(entity);
      const where = { agentId } as Parameters<typeof repo.count>[0];
      const [items, total] = await Promise.all([
        repo.find(where, { order: { id: 'DESC' } as FindOptionsOrder<E>, take: size, skip: offset }),
        repo.count(where),
      ]);
      return { items: items.map(view), total, page, size };
    });
  }
}
