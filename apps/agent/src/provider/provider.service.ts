/**
 * Game providers in the agent portal (seed 001 `/agent/provider/*`): the
 * list is the request brand's provider allow list (brand_provider_config
 * enabled, provider shown; provider credentials stay global, ADR-009). Each
 * agent has a per-brand revenue-share percentage per provider, kept in
 * `agent_setting(agent_id, brand_id).settings.provider_percentage`
 * (defaulting to the agent's commission rate); an agent may set a direct
 * sub-agent's percentage up to its own. Income is computed from the brand's
 * deposit and withdrawal tables and the agent's balance log.
 */
import { Injectable } from '@nestjs/common';
import { type Agent, type BrandId, type BrandTx, Database } from '@app/database';
import { BusinessRuleError, InvalidInputError, NotFoundError } from '@app/http';
import { AgentEvents, AgentEventType } from '../shared/agent-events';
import { AgentsRepository } from '../shared/agents.repository';
import { type DateRangeQuery, dayRange } from '../shared/paging';
import { boundsOf } from '../statistics/statistics.repository';
import type { IncomeReport, PercentageItem, ProviderPercentageRow, ProviderRow } from './dto';

type Percentages = Record<string, string>;

function fraction(value: string): string {
  return Number(value).toFixed(4);
}

@Injectable()
export class ProviderService {
  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly events: AgentEvents,
  ) {}

  list(brandId: BrandId): Promise<ProviderRow[]> {
    return this.db.brandTransaction(brandId, (tx) => this.providers(tx));
  }

  async percentage(agentId: number, brandId: BrandId): Promise<ProviderPercentageRow[]> {
    const agent = await this.requireAgent(agentId);
    const parent = agent.parentId ? await this.agents.findById(agent.parentId) : null;
    return this.db.brandTransaction(brandId, async (tx) => {
      const providers = await this.providers(tx);
      const own = await this.percentages(tx, agent.guid);
      const parents = parent ? await this.percentages(tx, parent.guid) : {};
      return providers.map((p) => {
        const mine = own[p.provider_id] ?? fraction(agent.commissionRate);
        const max = parent ? (parents[p.provider_id] ?? fraction(parent.commissionRate)) : mine;
        return { ...p, percentage: mine, max_percentage: max };
      });
    });
  }

  async subPercentage(parentId: number, brandId: BrandId, subId: number): Promise<ProviderPercentageRow[]> {
    const parent = await this.requireAgent(parentId);
    return this.db.brandTransaction(brandId, async (tx) => {
      const sub = await this.requireSub(tx, parentId, subId);
      const providers = await this.providers(tx);
      const own = await this.percentages(tx, parent.guid);
      const theirs = await this.percentages(tx, sub.guid);
      return providers.map((p) => ({
        ...p,
        percentage: theirs[p.provider_id] ?? fraction(sub.commissionRate),
        max_percentage: own[p.provider_id] ?? fraction(parent.commissionRate),
      }));
    });
  }

  async setSubPercentage(
    parentId: number,
    brandId: BrandId,
    subId: number,
    items: PercentageItem[],
  ): Promise<ProviderPercentageRow[]> {
    const parent = await this.requireAgent(parentId);
    await this.db.brandTransaction(brandId, async (tx) => {
      const sub = await this.requireSub(tx, parentId, subId);
      const providers = new Set((await this.providers(tx)).map((p) => p.provider_id));
      const own = await this.percentages(tx, parent.guid);
      const patch: Percentages = {};
      for (const item of items) {
        if (!providers.has(item.provider_id))
          throw new InvalidInputError('invalid input', { provider_id: ['isEnabledProvider'] });
        const max = own[item.provider_id] ?? fraction(parent.commissionRate);
        if (Number(item.percentage) > Number(max))
          throw new BusinessRuleError('percentage exceeds your own percentage');
        patch[String(item.provider_id)] = fraction(item.percentage);
      }
      await tx.sql(
        `INSERT INTO agent_setting (brand_id, agent_id, settings) VALUES ($1, $2, jsonb_build_object('provider_percentage', $3::jsonb))
         ON CONFLICT (agent_id, brand_id) DO UPDATE
           SET settings = jsonb_set(agent_setting.settings, '{provider_percentage}',
                                    coalesce(agent_setting.settings -> 'provider_percentage', '{}'::jsonb) || $3::jsonb),
               updated_at = now()`,
        [sub.guid, JSON.stringify(patch)],
      );
      await this.events.emit(
        tx,
        AgentEventType.PROVIDER_PERCENTAGE_CHANGED,
        { type: 'agent', id: sub.guid },
        {
          agent_id: sub.guid,
          parent_id: parentId,
          provider_percentage: patch,
        },
      );
    });
    return this.subPercentage(parentId, brandId, subId);
  }

  async income(agentId: number, brandId: BrandId, query: DateRangeQuery): Promise<IncomeReport> {
    const agent = await this.requireAgent(agentId);
    const range = dayRange(query);
    const bounds = boundsOf(range);
    const row = await this.db.brandTransaction(brandId, async (tx) => {
      const { rows } = await tx.sql<{ deposit_amount: string; withdraw_amount: string; credited: string }>(
        `WITH mine AS (SELECT id FROM player WHERE brand_id = $1 AND agent_id = $2)
         SELECT (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM player_deposit
                  WHERE brand_id = $1 AND status = 'approved' AND player_id IN (SELECT id FROM mine)
                    AND coalesce(processed_at, created_at) >= $3::timestamptz AND coalesce(processed_at, created_at) < $4::timestamptz) AS deposit_amount,
                (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM player_withdraw
                  WHERE brand_id = $1 AND status = 'paid' AND player_id IN (SELECT id FROM mine)
                    AND coalesce(paid_at, created_at) >= $3::timestamptz AND coalesce(paid_at, created_at) < $4::timestamptz) AS withdraw_amount,
                (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM agent_balance_log
                  WHERE brand_id = $1 AND agent_id = $2 AND amount > 0 AND created_at >= $3::timestamptz AND created_at < $4::timestamptz) AS credited`,
        [agent.guid, bounds.from, bounds.to],
      );
      return rows[0];
    });
    const net = Number(row.deposit_amount) - Number(row.withdraw_amount);
    const estimated = Math.max(0, net) * Number(agent.commissionRate);
    return {
      start: range.start,
      end: range.end,
      deposit_amount: String(row.deposit_amount),
      withdraw_amount: String(row.withdraw_amount),
      net_amount: net.toFixed(2),
      commission_rate: String(agent.commissionRate),
      estimated_income: estimated.toFixed(2),
      credited_income: String(row.credited),
    };
  }

  private async providers(tx: BrandTx): Promise<ProviderRow[]> {
    const { rows } = await tx.sql<{ id: number; code: string; name: string }>(
      `SELECT p.id, p.code, p.name FROM brand_provider_config bpc JOIN provider p ON p.id = bpc.provider_id
        WHERE bpc.brand_id = $1 AND bpc.enabled = true AND p.is_show = true
        ORDER BY p.id`,
    );
    return rows.map((row) => ({ provider_id: Number(row.id), code: row.code, name: row.name }));
  }

  private async percentages(tx: BrandTx, agentId: number): Promise<Percentages> {
    const { rows } = await tx.sql<{ value: Percentages | null }>(
      `SELECT settings -> 'provider_percentage' AS value FROM agent_setting WHERE brand_id = $1 AND agent_id = $2`,
      [agentId],
    );
    const value = rows[0]?.value;
    if (!value || typeof value !== 'object') return {};
    const out: Percentages = {};
    for (const [key, v] of Object.entries(value))
      if (typeof v === 'string' && /^\d(\.\d+)?$/.test(v)) out[key] = fraction(v);
    return out;
  }

  private async requireAgent(agentId: number): Promise<Agent> {
    const agent = await this.agents.findById(agentId);
    if (!agent) throw new NotFoundError('agent not found');
    return agent;
  }

  /** A direct sub-agent with a membership in the brand. */
  private async requireSub(tx: BrandTx, parentId: number, subId: number): Promise<Agent> {
    const sub = await this.agents.findChild(tx.manager, parentId, subId);
    if (!sub) throw new NotFoundError('sub-agent not found');
    const { rows } = await tx.sql(`SELECT 1 FROM agent_brand WHERE brand_id = $1 AND agent_id = $2`, [subId]);
    if (rows.length === 0) throw new NotFoundError('sub-agent not found');
    return sub;
  }
}
