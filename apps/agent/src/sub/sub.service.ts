/**
 * Sub-agent management (seed 001 `/agent/sub/*`): the agent tree is global
 * (agent.parent_id), brand membership is agent_brand (admin-managed), so a
 * sub-agent is visible in a brand only when it has an agent_brand row there.
 * An agent may set a direct sub-agent's commission rate up to its own rate;
 * the change emits an agent outbox event in the request brand. Statistics
 * cover each sub-agent's whole subtree (legacy /agent/agentStatistic*).
 */
import { Injectable } from '@nestjs/common';
import { type BrandId, type BrandTx, Database } from '@app/database';
import { BusinessRuleError, NotFoundError } from '@app/http';
import { AgentEvents, AgentEventType } from '../shared/agent-events';
import { AgentsRepository } from '../shared/agents.repository';
import { type DateRangeQuery, dayRange, type Page, type PageQuery, pageWindow } from '../shared/paging';
import type { DailyRow, SubDailyQuery, SubStatisticRow } from '../statistics/dto';
import { StatisticsRepository } from '../statistics/statistics.repository';
import type { SubAgentRow } from './dto';

interface SubRow {
  agent_id: string;
  account: string;
  nickname: string | null;
  status: string;
  level: number;
  commission_rate: string;
  player_count: string;
  created_at: Date;
}

@Injectable()
export class SubService {
  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly stats: StatisticsRepository,
    private readonly events: AgentEvents,
  ) {}

  list(parentId: number, brandId: BrandId, query: PageQuery): Promise<Page<SubAgentRow>> {
    const { page, size, offset } = pageWindow(query);
    return this.db.brandTransaction(brandId, async (tx) => {
      const total = await this.stats.subAgentCount(tx, parentId);
      const { rows } = await tx.sql<SubRow>(
        `SELECT a.guid AS agent_id, a.account, a.nickname, ab.status, a.level, a.commission_rate, a.created_at,
                (SELECT count(*) FROM player p WHERE p.brand_id = $1 AND p.agent_id = a.guid) AS player_count
           FROM agent a JOIN agent_brand ab ON ab.agent_id = a.guid
          WHERE ab.brand_id = $1 AND a.parent_id = $2
          ORDER BY a.guid
          LIMIT $3 OFFSET $4`,
        [parentId, size, offset],
      );
      return { items: rows.map(toSubAgent), total, page, size };
    });
  }

  async detail(parentId: number, brandId: BrandId, agentId: number): Promise<SubAgentRow> {
    const row = await this.db.brandTransaction(brandId, (tx) => this.findSub(tx, parentId, agentId));
    if (!row) throw new NotFoundError('sub-agent not found');
    return toSubAgent(row);
  }

  async setCommission(
    parentId: number,
    brandId: BrandId,
    agentId: number,
    rate: string,
  ): Promise<SubAgentRow> {
    const parent = await this.agents.findById(parentId);
    if (!parent) throw new NotFoundError('agent not found');
    if (Number(rate) > Number(parent.commissionRate))
      throw new BusinessRuleError('commission rate exceeds your own rate');
    return this.db.brandTransaction(brandId, async (tx) => {
      const before = await this.findSub(tx, parentId, agentId);
      if (!before) throw new NotFoundError('sub-agent not found');
      await this.agents.update(tx.manager, agentId, { commissionRate: rate });
      await this.events.emit(
        tx,
        AgentEventType.SUB_COMMISSION_CHANGED,
        { type: 'agent', id: agentId },
        {
          agent_id: agentId,
          parent_id: parentId,
          commission_rate_before: before.commission_rate,
          commission_rate: rate,
        },
      );
      const after = await this.findSub(tx, parentId, agentId);
      return toSubAgent(after as SubRow);
    });
  }

  statistic(parentId: number, brandId: BrandId, query: DateRangeQuery): Promise<SubStatisticRow[]> {
    const range = dayRange(query);
    return this.db.brandTransaction(brandId, (tx) => this.stats.subAgents(tx, parentId, range));
  }

  async statisticDaily(parentId: number, brandId: BrandId, query: SubDailyQuery): Promise<DailyRow[]> {
    const range = dayRange(query);
    return this.db.brandTransaction(brandId, async (tx) => {
      let roots: number[];
      if (query.agent_id !== undefined) {
        if (!(await this.findSub(tx, parentId, query.agent_id)))
          throw new NotFoundError('sub-agent not found');
        roots = [query.agent_id];
      } else {
        const { rows } = await tx.sql<{ guid: string }>(
          `SELECT a.guid FROM agent a JOIN agent_brand ab ON ab.agent_id = a.guid WHERE ab.brand_id = $1 AND a.parent_id = $2`,
          [parentId],
        );
        roots = rows.map((row) => Number(row.guid));
      }
      const ids = await this.stats.subtree(tx.manager, roots);
      return this.stats.daily(tx, ids, range);
    });
  }

  private async findSub(tx: BrandTx, parentId: number, agentId: number): Promise<SubRow | null> {
    const { rows } = await tx.sql<SubRow>(
      `SELECT a.guid AS agent_id, a.account, a.nickname, ab.status, a.level, a.commission_rate, a.created_at,
              (SELECT count(*) FROM player p WHERE p.brand_id = $1 AND p.agent_id = a.guid) AS player_count
         FROM agent a JOIN agent_brand ab ON ab.agent_id = a.guid
        WHERE ab.brand_id = $1 AND a.parent_id = $2 AND a.guid = $3`,
      [parentId, agentId],
    );
    return rows[0] ?? null;
  }
}

function toSubAgent(row: SubRow): SubAgentRow {
  return {
    agent_id: Number(row.agent_id),
    account: row.account,
    nickname: row.nickname,
    status: row.status,
    level: Number(row.level),
    commission_rate: String(row.commission_rate),
    player_count: Number(row.player_count),
    created_at: new Date(row.created_at).toISOString(),
  };
}
