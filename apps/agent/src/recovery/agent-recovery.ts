/**
 * Agent password recovery through the shared @app/recovery flow (seed 001:
 * "agent recovery flow follows the same brand-precedence contract as player
 * recovery"): the ports below are what is agent-specific. Agents are global,
 * so an agent "belongs" to every brand, and the real brand check is
 * `brandAllowed`: the brand must be enabled for the agent in agent_brand,
 * read fresh from PostgreSQL (not the 60 s cache), and a brand that is not is
 * refused in every enforcement mode (52). The contact lookup prefers an agent
 * enabled in the request brand among agents sharing the phone. A reset
 * revokes every agent token. Rows of recovery_audit carry
 * `subject_type='agent'`; when no brand could be resolved at all (`off` mode,
 * unknown domain) one row with `brand_id=0` records the refusal (54).
 */
import { AgentSessions } from '@app/auth';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RecoveryAuditWriter } from '@app/audit';
import { APP_CONFIG, type AgentConfig } from '@app/config';
import { contactHash, ipHash } from '@app/crypto';
import { asBrandId, type BrandTx, Database } from '@app/database';
import { BrandContextRequiredError, InvalidInputError } from '@app/http';
import {
  type Contact,
  contactLookupHash,
  parseContact,
  type RecoveryPorts,
  type RecoveryRequestContext,
  RecoveryService,
} from '@app/recovery';
import { AgentsRepository } from '../shared/agents.repository';
import type { ForgetBody, ForgetResult } from './dto';

export const AGENT_RECOVERY = Symbol('AGENT_RECOVERY');

@Injectable()
export class AgentRecoveryPorts implements RecoveryPorts<BrandTx> {
  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly sessions: AgentSessions,
    @Inject(APP_CONFIG) private readonly config: AgentConfig,
  ) {}

  transaction<T>(brandId: number, fn: (tx: BrandTx) => Promise<T>): Promise<T> {
    return this.db.brandTransaction(asBrandId(brandId), fn);
  }

  async findByContact(tx: BrandTx, _brandId: number, contact: Contact): Promise<{ id: string } | null> {
    const column = contact.kind === 'email' ? 'email_hash' : 'phone_hash';
    const digest = contactLookupHash(contact.value, this.config.PASSWORD_SALT ?? '');
    const { rows } = await tx.sql<{ guid: string }>(
      `SELECT a.guid FROM agent a WHERE a.${column} = $2
        ORDER BY (EXISTS (SELECT 1 FROM agent_brand ab WHERE ab.brand_id = $1 AND ab.agent_id = a.guid AND ab.status = 'enabled')) DESC, a.guid
        LIMIT 1`,
      [digest],
    );
    return rows[0] ? { id: String(rows[0].guid) } : null;
  }

  async belongsToBrand(tx: BrandTx, _brandId: number, subjectId: string): Promise<boolean> {
    return (await this.agents.findById(Number(subjectId), tx.manager)) !== null;
  }

  async brandAllowed(tx: BrandTx, _brandId: number, subjectId: string): Promise<boolean> {
    const { rows } = await tx.sql<{ status: string }>(
      `SELECT status FROM agent_brand WHERE brand_id = $1 AND agent_id = $2`,
      [Number(subjectId)],
    );
    return rows[0]?.status === 'enabled';
  }

  async updatePassword(
    tx: BrandTx,
    _brandId: number,
    subjectId: string,
    passwordHash: string,
  ): Promise<void> {
    const updated = await this.agents.update(tx.manager, Number(subjectId), { passwordHash });
    if (updated !== 1) throw new Error('agent password update matched no row');
  }

  async revokeSessions(_tx: BrandTx, _brandId: number, subjectId: string): Promise<void> {
    await this.sessions.revokeAll(Number(subjectId));
  }
}

/** The recovery entry points as the controller calls them, with the brand-0 audit of the brandless branch. */
@Injectable()
export class AgentRecovery {
  private readonly logger = new Logger('AgentRecovery');
  private readonly audit = new RecoveryAuditWriter();

  constructor(
    @Inject(AGENT_RECOVERY) private readonly flow: RecoveryService<BrandTx>,
    private readonly db: Database,
  ) {}

  async request(ctx: RecoveryRequestContext, contact: string): Promise<{ accepted: true }> {
    await this.requireBrand(ctx, 'REQUEST', contact);
    return this.flow.request(ctx, contact);
  }

  async verify(ctx: RecoveryRequestContext, contact: string, code: string): Promise<{ reset_token: string }> {
    await this.requireBrand(ctx, 'VERIFY', contact);
    return this.flow.verify(ctx, contact, code);
  }

  /** The token's brand wins; the request brand is only the fallback (handled by the flow). */
  reset(ctx: RecoveryRequestContext, token: string, newPassword: string): Promise<null> {
    return this.flow.reset(ctx, token, newPassword);
  }

  /** Legacy `/agent/forget`: without a code it requests one; with code + new_password it verifies and resets. */
  async forget(ctx: RecoveryRequestContext, body: ForgetBody): Promise<ForgetResult> {
    if (body.code === undefined && body.new_password === undefined) {
      await this.request(ctx, body.contact);
      return { step: 'requested' };
    }
    if (body.code === undefined || body.new_password === undefined) {
      throw new InvalidInputError('invalid input', {
        [body.code === undefined ? 'code' : 'new_password']: ['isDefined'],
      });
    }
    const { reset_token } = await this.verify(ctx, body.contact, body.code);
    await this.reset(ctx, reset_token, body.new_password);
    return { step: 'reset' };
  }

  /** Waits for code deliveries in flight (tests, shutdown). */
  drain(): Promise<void> {
    return this.flow.drain();
  }

  private async requireBrand(ctx: RecoveryRequestContext, action: string, rawContact: string): Promise<void> {
    if (ctx.brandId !== null && ctx.brandId > 0) return;
    let hash: string | null = null;
    try {
      hash = contactHash(parseContact(rawContact).value);
    } catch {
      hash = null;
    }
    await this.db.transaction((manager) =>
      this.audit.write(manager, {
        brandId: 0,
        subjectType: 'agent',
        action,
        outcome: 'rejected',
        contactHash: hash,
        ipHash: ctx.ip ? ipHash(ctx.ip) : null,
        requestId: ctx.requestId,
        metadata: { step: action.toLowerCase(), reason: 'brand_context_missing' },
      }),
    );
    this.logger.warn({
      msg: 'agent recovery without a brand',
      reason: 'brand_context_missing',
      request_id: ctx.requestId,
    });
    throw new BrandContextRequiredError();
  }
}
