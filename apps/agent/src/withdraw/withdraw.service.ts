/**
 * Agent withdrawals (seed 001 `/agent/withdraw/*`; issue: "agent withdrawals
 * are requests recorded for admin approval", no wallet client): a request
 * becomes a `pending` agent_withdraw row in the request brand with the payout
 * bank copied from the agent (bank_num / card_number re-encrypted, AES-GCM)
 * and an AGENT_WITHDRAW_REQUESTED outbox event in the same transaction.
 * The agent row is locked for the check, so two concurrent requests cannot
 * both spend the same available balance (balance minus this brand's
 * pending requests). Admin agrees, declines and pays them.
 */
import { Injectable } from '@nestjs/common';
import { PiiCipher, mask } from '@app/crypto';
import { type Agent, AgentWithdraw, type BrandId, type BrandTx, Database } from '@app/database';
import { BusinessRuleError, NotFoundError } from '@app/http';
import { AgentEvents, AgentEventType } from '../shared/agent-events';
import { AgentsRepository } from '../shared/agents.repository';
import { BrandSettings } from '../shared/brand-settings';
import { type Page, type PageQuery, pageWindow } from '../shared/paging';
import type { WithdrawInit, WithdrawRow } from './dto';

/** Decimal strings compared in integer cents, never floats. */
export function cents(amount: string): bigint {
  const [whole, frac = ''] = amount.split('.');
  return BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
}

export function fromCents(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

@Injectable()
export class WithdrawService {
  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly pii: PiiCipher,
    private readonly settings: BrandSettings,
    private readonly events: AgentEvents,
  ) {}

  async init(agentId: number, brandId: BrandId): Promise<WithdrawInit> {
    const agent = await this.requireAgent(agentId);
    const [limit, banks, pending] = await Promise.all([
      this.settings.agentMinWithdrawalLimit(brandId),
      agent.bankName ? this.settings.banks(brandId) : Promise.resolve([]),
      this.db.brandTransaction(brandId, (tx) => this.pendingCents(tx, agentId)),
    ]);
    const balance = cents(agent.balance);
    const available = balance - pending > 0n ? balance - pending : 0n;
    return {
      balance: fromCents(balance),
      pending_amount: fromCents(pending),
      available_amount: fromCents(available),
      min_withdrawal_limit: limit,
      bank: {
        bank_id: agent.bankName,
        bank_name: banks.find((b) => b.bank_id === agent.bankName)?.name ?? agent.bankName,
        bank_num: mask(this.pii.decrypt(agent.bankNum)),
        card_number: mask(this.pii.decrypt(agent.cardNumber)),
        holder_name: agent.holderName,
      },
    };
  }

  async add(agentId: number, brandId: BrandId, amountText: string): Promise<WithdrawRow> {
    const amount = cents(amountText);
    if (amount <= 0n) throw new BusinessRuleError('amount must be positive');
    const minimum = cents(await this.settings.agentMinWithdrawalLimit(brandId));
    if (amount < minimum)
      throw new BusinessRuleError(`amount is below the minimum withdrawal of ${fromCents(minimum)}`);
    return this.db.brandTransaction(brandId, async (tx) => {
      const agent = await this.agents.lockById(tx.manager, agentId);
      if (!agent) throw new NotFoundError('agent not found');
      if (agent.status !== 'enabled' || agent.locked) throw new BusinessRuleError('account disabled');
      if (!agent.bankName || !agent.bankNum || !agent.holderName)
        throw new BusinessRuleError('no payout bank on file');
      const available = cents(agent.balance) - (await this.pendingCents(tx, agentId));
      if (amount > available) throw new BusinessRuleError('amount exceeds the available balance');
      const inserted = await tx.repo(AgentWithdraw).insert({
        agentId,
        amount: fromCents(amount),
        status: 'pending',
        bankName: agent.bankName,
        // Re-encrypted, so every new agent_withdraw row is aesgcm:v1 with its own nonce.
        bankNum: this.pii.encrypt(this.pii.decrypt(agent.bankNum)),
        cardNumber: this.pii.encrypt(this.pii.decrypt(agent.cardNumber)),
        holderName: agent.holderName,
      });
      const id = Number((inserted.identifiers[0] as { id: number | string }).id);
      await this.events.emit(
        tx,
        AgentEventType.WITHDRAW_REQUESTED,
        { type: 'agent_withdraw', id },
        {
          withdraw_id: id,
          agent_id: agentId,
          amount: fromCents(amount),
          bank_id: agent.bankName,
        },
      );
      const row = await tx.repo(AgentWithdraw).findOne({ id });
      return this.toRow(row as AgentWithdraw);
    });
  }

  list(agentId: number, brandId: BrandId, query: PageQuery): Promise<Page<WithdrawRow>> {
    const { page, size, offset } = pageWindow(query);
    return this.db.brandTransaction(brandId, async (tx) => {
      const repo = tx.repo(AgentWithdraw);
      const [items, total] = await Promise.all([
        repo.find({ agentId }, { order: { id: 'DESC' }, take: size, skip: offset }),
        repo.count({ agentId }),
      ]);
      return { items: items.map((row) => this.toRow(row)), total, page, size };
    });
  }

  private async pendingCents(tx: BrandTx, agentId: number): Promise<bigint> {
    const { rows } = await tx.sql<{ total: string }>(
      `SELECT coalesce(sum(amount), 0)::numeric(20, 2) AS total FROM agent_withdraw WHERE brand_id = $1 AND agent_id = $2 AND status = 'pending'`,
      [agentId],
    );
    return cents(String(rows[0]?.total ?? '0'));
  }

  private toRow(row: AgentWithdraw): WithdrawRow {
    return {
      id: row.id,
      amount: row.amount,
      status: row.status,
      bank_id: row.bankName,
      bank_num: mask(this.pii.decrypt(row.bankNum)),
      holder_name: row.holderName,
      remark: row.remark,
      created_at: row.createdAt.toISOString(),
      processed_at: row.processedAt ? row.processedAt.toISOString() : null,
    };
  }

  private async requireAgent(agentId: number): Promise<Agent> {
    const agent = await this.agents.findById(agentId);
    if (!agent) throw new NotFoundError('agent not found');
    return agent;
  }
}
