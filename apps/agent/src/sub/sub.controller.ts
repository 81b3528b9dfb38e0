/**
 * `/agent/sub/*` sub-agent management plus the legacy reporting endpoints
 * `/agent/agentStatistic` and `/agent/agentStatisticDaily` (seed 001: separate
 * from the new `/agent/sub/*` namespace, distinguished by suffix).
 */
import { Body, Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { DateRangeQuery, PageQuery, type Page } from '../shared/paging';
import { DailyRow, SubDailyQuery, SubStatisticRow } from '../statistics/dto';
import { SubAgentQuery, SubAgentRow, SubCommissionBody } from './dto';
import { SubService } from './sub.service';

@ApiTags('sub-agents')
@Controller()
export class SubController {
  constructor(private readonly subs: SubService) {}

  @Route('GET', 'agent/sub/list', {
    summary: 'Direct sub-agents that have a membership in the request brand',
    data: { page: SubAgentRow },
  })
  list(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PageQuery,
  ): Promise<Page<SubAgentRow>> {
    return this.subs.list(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/sub/detail', { summary: 'One direct sub-agent', data: SubAgentRow })
  detail(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: SubAgentQuery,
  ): Promise<SubAgentRow> {
    return this.subs.detail(agent.agentId, brandId, query.agent_id);
  }

  @Route('POST', 'agent/sub/commission', {
    summary: "Set a direct sub-agent's commission rate (≤ your own)",
    data: SubAgentRow,
  })
  commission(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Body() body: SubCommissionBody,
  ): Promise<SubAgentRow> {
    return this.subs.setCommission(agent.agentId, brandId, body.agent_id, body.commission_rate);
  }

  @Route('GET', 'agent/sub/statistic', {
    summary: 'Per sub-agent figures over its subtree for a date range',
    data: [SubStatisticRow],
    legacy: ['agent/agentStatistic'],
  })
  statistic(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: DateRangeQuery,
  ): Promise<SubStatisticRow[]> {
    return this.subs.statistic(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/sub/statistic/daily', {
    summary: "Per-day figures of one sub-agent's subtree (or all sub-agents')",
    data: [DailyRow],
    legacy: ['agent/agentStatisticDaily'],
  })
  statisticDaily(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: SubDailyQuery,
  ): Promise<DailyRow[]> {
    return this.subs.statisticDaily(agent.agentId, brandId, query);
  }
}
