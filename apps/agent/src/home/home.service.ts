/**
 * The agent dashboard (seed 001 `/agent/home/*`): figures of the agent's own
 * players in the request brand, from that brand's player, deposit,
 * withdrawal and coupon tables (StatisticsRepository), plus the agent's
 * global balance.
 */
import { Injectable } from '@nestjs/common';
import { type BrandId, Database } from '@app/database';
import { NotFoundError } from '@app/http';
import { AgentsRepository } from '../shared/agents.repository';
import { type DateRangeQuery, dayRange } from '../shared/paging';
import type { DailyRow, HomeSummary } from '../statistics/dto';
import { StatisticsRepository } from '../statistics/statistics.repository';

@Injectable()
export class HomeService {
  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly stats: StatisticsRepository,
  ) {}

  async summary(agentId: number, brandId: BrandId, now = new Date()): Promise<HomeSummary> {
    const agent = await this.agents.findById(agentId);
    if (!agent) throw new NotFoundError('agent not found');
    const todayFrom = `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;
    const { figures, subs } = await this.db.brandTransaction(brandId, async (tx) => ({
      figures: await this.stats.summary(tx, agentId, todayFrom),
      subs: await this.stats.subAgentCount(tx, agentId),
    }));
    return {
      brand_id: brandId,
      balance: agent.balance,
      player_count: figures.playerCount,
      new_players_today: figures.newPlayersToday,
      sub_agent_count: subs,
      deposit_count: figures.depositCount,
      deposit_amount: figures.depositAmount,
      withdraw_count: figures.withdrawCount,
      withdraw_amount: figures.withdrawAmount,
      today_deposit_amount: figures.todayDepositAmount,
      today_withdraw_amount: figures.todayWithdrawAmount,
      coupon_amount: figures.couponAmount,
      pending_withdraw_amount: figures.pendingWithdrawAmount,
    };
  }

  daily(agentId: number, brandId: BrandId, query: DateRangeQuery): Promise<DailyRow[]> {
    const range = dayRange(query);
    return this.db.brandTransaction(brandId, (tx) => this.stats.daily(tx, [agentId], range));
  }
}
