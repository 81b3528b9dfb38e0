/**
 * `/agent/home/*` dashboard with the legacy `/home/*` aliases and the legacy
 * reporting endpoint `/agent/statisticDaily` (seed 001).
 */
import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { DateRangeQuery } from '../shared/paging';
import { DailyRow, HomeSummary } from '../statistics/dto';
import { HomeService } from './home.service';

@ApiTags('home')
@Controller()
export class HomeController {
  constructor(private readonly home: HomeService) {}

  @Route('GET', 'agent/home/summary', {
    summary: 'Dashboard figures for the request brand',
    data: HomeSummary,
    legacy: ['home/summary'],
  })
  summary(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<HomeSummary> {
    return this.home.summary(agent.agentId, brandId);
  }

  @Route('GET', 'agent/home/statistic/daily', {
    summary: "Per-day registrations, deposits and withdrawals of the agent's players (UTC days)",
    data: [DailyRow],
    legacy: ['home/statistic/daily', 'agent/statisticDaily'],
  })
  daily(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: DateRangeQuery,
  ): Promise<DailyRow[]> {
    return this.home.daily(agent.agentId, brandId, query);
  }
}
