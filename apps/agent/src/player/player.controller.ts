/** `/agent/player/*` with the legacy `/player/*` aliases (seed 001). */
import { Controller, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import type { Page } from '../shared/paging';
import {
  PlayerDepositRow,
  PlayerListQuery,
  PlayerMoneyQuery,
  PlayerQuery,
  PlayerRow,
  PlayerWithdrawRow,
} from './dto';
import { PlayerService } from './player.service';

@ApiTags('players')
@Controller()
export class PlayerController {
  constructor(private readonly players: PlayerService) {}

  @Route('GET', 'agent/player/list', {
    summary: 'Your players in the request brand',
    data: { page: PlayerRow },
    legacy: ['player/list'],
  })
  list(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PlayerListQuery,
  ): Promise<Page<PlayerRow>> {
    return this.players.list(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/player/detail', {
    summary: 'One of your players',
    data: PlayerRow,
    legacy: ['player/detail'],
  })
  detail(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PlayerQuery,
  ): Promise<PlayerRow> {
    return this.players.detail(agent.agentId, brandId, query.player_id);
  }

  @Route('GET', 'agent/player/deposit/list', {
    summary: 'Deposits of your players',
    data: { page: PlayerDepositRow },
    legacy: ['player/deposit/list'],
  })
  deposits(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PlayerMoneyQuery,
  ): Promise<Page<PlayerDepositRow>> {
    return this.players.deposits(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/player/withdraw/list', {
    summary: 'Withdrawals of your players',
    data: { page: PlayerWithdrawRow },
    legacy: ['player/withdraw/list'],
  })
  withdrawals(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PlayerMoneyQuery,
  ): Promise<Page<PlayerWithdrawRow>> {
    return this.players.withdrawals(agent.agentId, brandId, query);
  }
}
