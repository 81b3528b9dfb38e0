/** `/agent/coupon/*` with the legacy `/coupon/*` aliases (grant, recycle, logs, recycle/logs; seed 001). */
import { Body, Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { type Page, PageQuery } from '../shared/paging';
import { CouponService } from './coupon.service';
import { CouponLogRow, CouponRecycleLogRow, CouponRow, GrantBody, RecycleBody } from './dto';

@ApiTags('coupons')
@Controller()
export class CouponController {
  constructor(private readonly coupons: CouponService) {}

  @Route('POST', 'agent/coupon/grant', {
    summary: 'Grant a coupon to one of your players',
    data: CouponRow,
    legacy: ['coupon/grant'],
  })
  grant(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Body() body: GrantBody,
  ): Promise<CouponRow> {
    return this.coupons.grant(agent.agentId, brandId, body);
  }

  @Route('POST', 'agent/coupon/recycle', {
    summary: 'Recycle an unused coupon you granted',
    data: CouponRow,
    legacy: ['coupon/recycle'],
  })
  recycle(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Body() body: RecycleBody,
  ): Promise<CouponRow> {
    return this.coupons.recycle(agent.agentId, brandId, body.coupon_id, body.reason);
  }

  @Route('GET', 'agent/coupon/list', {
    summary: 'Coupons you granted in this brand',
    data: { page: CouponRow },
  })
  list(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PageQuery,
  ): Promise<Page<CouponRow>> {
    return this.coupons.list(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/coupon/logs', {
    summary: 'Your coupon grant/recycle log',
    data: { page: CouponLogRow },
    legacy: ['coupon/logs'],
  })
  logs(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PageQuery,
  ): Promise<Page<CouponLogRow>> {
    return this.coupons.logs(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/coupon/recycle/logs', {
    summary: 'Your coupon recycle log',
    data: { page: CouponRecycleLogRow },
    legacy: ['coupon/recycle/logs'],
  })
  recycleLogs(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PageQuery,
  ): Promise<Page<CouponRecycleLogRow>> {
    return this.coupons.recycleLogs(agent.agentId, brandId, query);
  }
}
