/**
 * Agents are global and brand allow-listed (ADR-009 "Agents are global,
 * brand allow-listed"; seed 004: admin owns the agent_brand write surface).
 * Creating an agent writes no agent_brand row; `PUT
 * /agents/{id}/brands/{brand_id}` does, audited with the brand, and
 * AGENT_BRAND_CHANGED is published after the commit so agent_service drops
 * its allow-list cache.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { PasswordHasher } from '@app/auth';
import { contactHash, type PiiCipher } from '@app/crypto';
import { ConflictError, NotFoundError } from '@app/http';
import { Agent, type BrandId, crossBrandSql, Database, type EnabledStatus } from '@app/database';
import { ADMIN_PASSWORD_HASHER } from '../auth/auth.service';
import { AdminAuditService } from '../common/admin-audit.service';
import { AdminEvents, AGENT_BRAND_CHANGED } from '../common/events';
import { normalizePhone, PII_CIPHER } from '../common/pii';

export interface AgentView {
  agent_id: number;
  account: string;
  status: EnabledStatus;
  locked: boolean;
  level: number;
  parent_id: number | null;
  commission_rate: string;
  balance: string;
  created_at: string;
}

const view = (a: Agent): AgentView => ({
  agent_id: a.guid,
  account: a.account,
  status: a.status,
  locked: a.locked,
  level: a.level,
  parent_id: a.parentId,
  commission_rate: a.commissionRate,
  balance: a.balance,
  created_at: a.createdAt.toISOString(),
});

@Injectable()
export class AgentsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AdminAuditService,
    private readonly events: AdminEvents,
    @Inject(ADMIN_PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(PII_CIPHER) private readonly pii: PiiCipher,
  ) {}

  async create(
    operatorId: number,
    input: { account: string; password: string; phone?: string },
  ): Promise<{ agent_id: number; account: string }> {
    const phone = input.phone === undefined ? null : normalizePhone(input.phone);
    const passwordHash = await this.hasher.hash(input.password);
    return this.db.transaction(async (manager) => {
      const repo = manager.getRepository(Agent);
      if (await repo.exists({ where: { account: input.account } }))
        throw new ConflictError('agent account already exists');
      const agent = await repo.save(
        repo.create({
          account: input.account,
          passwordHash,
          phoneNum: phone === null ? null : this.pii.encrypt(phone),
          phoneHash: phone === null ? null : contactHash(phone),
          status: 'enabled',
          balance: '0',
          commissionRate: '0',
        }),
      );
      await this.audit.write(manager, {
        brandId: 0,
        operatorId,
        action: 'CREATE_AGENT',
        resource: 'agent',
        resourceId: agent.guid,
        after: { account: agent.account },
        payload: phone === null ? {} : { phone_hash: contactHash(phone).slice(0, 8) },
      });
      return { agent_id: agent.guid, account: agent.account };
    });
  }

  async list(
    page: number,
    pageSize: number,
  ): Promise<{ items: AgentView[]; total: number; page: number; page_size: number }> {
    const [agents, total] = await this.db.dataSource
      .getRepository(Agent)
      .findAndCount({ order: { guid: 'DESC' }, skip: (page - 1) * pageSize, take: pageSize });
    return { items: agents.map(view), total, page, page_size: pageSize };
  }

  async get(agentId: number): Promise<AgentView & { brands: Array<{ brand_id: number; status: string }> }> {
    const agent = await this.db.dataSource.getRepository(Agent).findOne({ where: { guid: agentId } });
    if (!agent) throw new NotFoundError('agent not found');
    return { ...view(agent), brands: await this.brands(agentId) };
  }

  async brands(agentId: number): Promise<Array<{ brand_id: number; status: string }>> {
    const rows = await crossBrandSql<{ brand_id: number; status: string }>(
      this.db.dataSource,
      'agent allow list across brands (agents are global; non-money)',
      `SELECT brand_id, status FROM agent_brand WHERE agent_id = $1 ORDER BY brand_id`,
      [agentId],
    );
    return rows.rows;
  }

  async setBrand(
    operatorId: number,
    agentId: number,
    brandId: BrandId,
    status: EnabledStatus,
  ): Promise<{ agent_id: number; brand_id: number; status: EnabledStatus }> {
    await this.db.brandTransaction(brandId, async (tx) => {
      const agent: unknown[] = await tx.manager.query(`SELECT 1 FROM agent WHERE guid = $1`, [agentId]);
      if (agent.length === 0) throw new NotFoundError('agent not found');
      const brand: unknown[] = await tx.manager.query(`SELECT 1 FROM brand WHERE id = $1`, [brandId]);
      if (brand.length === 0) throw new NotFoundError('brand not found');
      const prior = await tx.sql<{ status: string }>(
        `SELECT status FROM agent_brand WHERE brand_id = $1 AND agent_id = $2 FOR UPDATE`,
        [agentId],
      );
      await tx.sql(
        `INSERT INTO agent_brand (brand_id, agent_id, status, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (agent_id, brand_id) DO UPDATE SET status = EXCLUDED.status, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [agentId, status, String(operatorId)],
      );
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'SET_AGENT_BRAND',
        resource: 'agent_brand',
        resourceId: agentId,
        before: prior.rows[0] ? { status: prior.rows[0].status } : null,
        after: { status },
      });
    });
    await this.events.publish(AGENT_BRAND_CHANGED, { agent_id: agentId, brand_id: brandId, status });
    return { agent_id: agentId, brand_id: brandId, status };
  }
}
