/**
 * The global `agent` aggregate (ADR-009: agents are not partitioned by
 * brand; agent_brand records which brands one may serve). Plain I/O only:
 * lookups, the row lock a withdrawal request takes, and the column updates of
 * the profile flows. PII columns are ciphertext; callers encrypt and decrypt.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Agent, Database } from '@app/database';

export type AgentPatch = Partial<
  Pick<
    Agent,
    | 'passwordHash'
    | 'phoneNum'
    | 'phoneHash'
    | 'bankName'
    | 'bankNum'
    | 'cardNumber'
    | 'holderName'
    | 'commissionRate'
    | 'lastLoginAt'
  >
>;

@Injectable()
export class AgentsRepository {
  constructor(private readonly db: Database) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.db.dataSource.manager;
  }

  findByAccount(account: string): Promise<Agent | null> {
    return this.manager().findOne(Agent, { where: { account } });
  }

  findById(agentId: number, manager?: EntityManager): Promise<Agent | null> {
    return this.manager(manager).findOne(Agent, { where: { guid: agentId } });
  }

  /** Locks the agent row until the caller's transaction ends (withdrawal requests). */
  lockById(manager: EntityManager, agentId: number): Promise<Agent | null> {
    return manager.findOne(Agent, { where: { guid: agentId }, lock: { mode: 'pessimistic_write' } });
  }

  findByPhoneHash(phoneHash: string): Promise<Agent[]> {
    return this.manager().find(Agent, { where: { phoneHash }, order: { guid: 'ASC' }, take: 10 });
  }

  async update(manager: EntityManager, agentId: number, patch: AgentPatch): Promise<number> {
    const result = await manager.update(Agent, { guid: agentId }, patch);
    return result.affected ?? 0;
  }

  /** Direct children of an agent (sub-agents are global rows too). */
  findChild(manager: EntityManager | undefined, parentId: number, childId: number): Promise<Agent | null> {
    return this.manager(manager).findOne(Agent, { where: { guid: childId, parentId } });
  }
}
