/** `/agent/withdraw/*` with the legacy `/withdraw/*` aliases (seed 001). */
import { Body, Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import type { Page } from '../shared/paging';
import { WithdrawAddBody, WithdrawInit, WithdrawListQuery, WithdrawRow } from './dto';
import { WithdrawService } from './withdraw.service';

@ApiTags('withdrawals')
@Controller()
export class WithdrawController {
  constructor(private readonly withdrawals: WithdrawService) {}

  @Route('GET', 'agent/withdraw/init', {
    summary: 'Balance, limit and payout bank for a new request',
    data: WithdrawInit,
    legacy: ['withdraw/init'],
  })
  init(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<WithdrawInit> {
    return this.withdrawals.init(agent.agentId, brandId);
  }

  @Route('POST', 'agent/withdraw/add', {
    summary: 'Request a withdrawal (pending until an admin approves it)',
    data: WithdrawRow,
    legacy: ['withdraw/add'],
  })
  add(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Body() body: WithdrawAddBody,
  ): Promise<WithdrawRow> {
    return this.withdrawals.add(agent.agentId, brandId, body.amount);
  }

  @Route('GET', 'agent/withdraw/list', {
    summary: 'Your withdrawal requests in this brand',
    data: { page: WithdrawRow },
    legacy: ['withdraw/list'],
  })
  list(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: WithdrawListQuery,
  ): Promise<Page<WithdrawRow>> {
    return this.withdrawals.list(agent.agentId, brandId, query);
  }
}
