/** `/agent/provider/*` with the legacy `/provider/*` aliases (seed 001). */
import { Body, Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { DateRangeQuery } from '../shared/paging';
import { SubAgentQuery } from '../sub/dto';
import { IncomeReport, ProviderPercentageRow, ProviderRow, SubPercentageBody } from './dto';
import { ProviderService } from './provider.service';

@ApiTags('providers')
@Controller()
export class ProviderController {
  constructor(private readonly providers: ProviderService) {}

  @Route('GET', 'agent/provider/list', {
    summary: 'Providers enabled for the request brand',
    data: [ProviderRow],
    legacy: ['provider/list'],
  })
  list(@RequestBrand() brandId: BrandId): Promise<ProviderRow[]> {
    return this.providers.list(brandId);
  }

  @Route('GET', 'agent/provider/percentage', {
    summary: 'Your revenue share per provider in this brand',
    data: [ProviderPercentageRow],
    legacy: ['provider/percentage'],
  })
  percentage(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
  ): Promise<ProviderPercentageRow[]> {
    return this.providers.percentage(agent.agentId, brandId);
  }

  @Route('GET', 'agent/provider/sub/percentage', {
    summary: "A direct sub-agent's revenue share per provider in this brand",
    data: [ProviderPercentageRow],
    legacy: ['provider/sub/percentage'],
  })
  subPercentage(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: SubAgentQuery,
  ): Promise<ProviderPercentageRow[]> {
    return this.providers.subPercentage(agent.agentId, brandId, query.agent_id);
  }

  @Route('POST', 'agent/provider/sub/percentage', {
    summary: "Set a direct sub-agent's revenue share per provider (≤ your own)",
    data: [ProviderPercentageRow],
    legacy: ['provider/sub/percentage'],
  })
  setSubPercentage(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Body() body: SubPercentageBody,
  ): Promise<ProviderPercentageRow[]> {
    return this.providers.setSubPercentage(agent.agentId, brandId, body.agent_id, body.items);
  }

  @Route('GET', 'agent/provider/income', {
    summary: 'Income of the agent in this brand for a date range',
    data: IncomeReport,
    legacy: ['provider/income'],
  })
  income(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: DateRangeQuery,
  ): Promise<IncomeReport> {
    return this.providers.income(agent.agentId, brandId, query);
  }
}
