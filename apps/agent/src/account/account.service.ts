/**
 * Agent authentication and profile (seed 001 `/agent/*` auth, CONTRACTS §5
 * and §7): login resolves the brand from the request domain and mints an RS256
 * `typ: "agent"` token carrying it; unknown accounts and wrong passwords get
 * the same answer after the same KDF work; the agent_brand allow list is
 * applied at login per CONTRACTS §11 (enforce refuses with 52). Every login
 * attempt leaves an `agent_login_log` row in the request brand. Refresh mints
 * a new token, logout denylists the token's jti, a password change revokes
 * every token of the agent.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PasswordHasher, AgentSessions } from '@app/auth';
import { BrandEnforcement } from '@app/brand-context';
import { PiiCipher, mask } from '@app/crypto';
import { type Agent, AgentLoginLog, type BrandId, Database } from '@app/database';
import { BusinessRuleError, NotFoundError } from '@app/http';
import { AgentBrandAllowList } from '../edge/agent-brand-allow-list';
import { AGENT_TOKENS } from '../edge/agent-jwt.middleware';
import type { AgentTokens } from '../edge/agent-tokens';
import type { AgentPrincipal } from '../edge/request-context';
import { AgentsRepository } from '../shared/agents.repository';
import { BrandSettings } from '../shared/brand-settings';
import type { AgentInfo, EditPasswordResult, LoginResult, TopInfo } from './dto';

const INVALID_CREDENTIALS = 'invalid account or password';

export interface LoginContext {
  brandId: BrandId;
  ip: string;
  userAgent: string | null;
}

@Injectable()
export class AccountService implements OnModuleInit {
  private timingHash = '';

  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly hasher: PasswordHasher,
    @Inject(AGENT_TOKENS) private readonly tokens: AgentTokens,
    private readonly sessions: AgentSessions,
    private readonly allowList: AgentBrandAllowList,
    private readonly enforcement: BrandEnforcement,
    private readonly pii: PiiCipher,
    private readonly settings: BrandSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    // Unknown accounts run the same KDF as known ones, so timing does not reveal them.
    this.timingHash = await this.hasher.hash('agent-login-timing-equalizer');
  }

  async login(account: string, password: string, ctx: LoginContext): Promise<LoginResult> {
    const agent = await this.agents.findByAccount(account);
    const passwordOk = await this.hasher.verify(password, agent?.passwordHash ?? this.timingHash);
    if (!agent || !passwordOk) {
      await this.logAttempt(
        ctx,
        agent?.guid ?? null,
        account,
        false,
        agent ? 'bad_password' : 'unknown_account',
      );
      throw new BusinessRuleError(INVALID_CREDENTIALS);
    }
    if (agent.status !== 'enabled' || agent.locked) {
      await this.logAttempt(ctx, agent.guid, account, false, 'disabled');
      throw new BusinessRuleError('account disabled');
    }
    if (this.enforcement.mode !== 'off' && !(await this.allowList.isEnabled(agent.guid, ctx.brandId))) {
      try {
        this.enforcement.notAllowed('agent_brand_not_allowed', {
          brandId: ctx.brandId,
          agent_id: agent.guid,
          stage: 'login',
        });
      } catch (err) {
        await this.logAttempt(ctx, agent.guid, account, false, 'brand_not_allowed');
        throw err;
      }
    }
    const issued = await this.tokens.issue(agent.guid, agent.account, ctx.brandId);
    await this.sessions.register(agent.guid, issued.jti, issued.exp);
    await this.db.brandTransaction(ctx.brandId, async (tx) => {
      await tx.repo(AgentLoginLog).insert({
        agentId: agent.guid,
        account,
        success: true,
        reason: null,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      });
      await this.agents.update(tx.manager, agent.guid, { lastLoginAt: new Date() });
    });
    return {
      token: issued.token,
      expires_in: issued.expiresIn,
      agent: { agent_id: agent.guid, account: agent.account },
      brand_id: ctx.brandId,
    };
  }

  async refresh(principal: AgentPrincipal, brandId: BrandId): Promise<LoginResult> {
    const agent = await this.requireAgent(principal.agentId);
    if (agent.status !== 'enabled' || agent.locked) throw new BusinessRuleError('account disabled');
    const issued = await this.tokens.issue(agent.guid, agent.account, brandId);
    await this.sessions.register(agent.guid, issued.jti, issued.exp);
    return {
      token: issued.token,
      expires_in: issued.expiresIn,
      agent: { agent_id: agent.guid, account: agent.account },
      brand_id: brandId,
    };
  }

  async logout(principal: AgentPrincipal): Promise<null> {
    await this.sessions.revoke(principal.agentId, principal.jti, principal.exp);
    return null;
  }

  async info(principal: AgentPrincipal, brandId: BrandId): Promise<AgentInfo> {
    const agent = await this.requireAgent(principal.agentId);
    const banks = agent.bankName ? await this.settings.banks(brandId) : [];
    return {
      agent_id: agent.guid,
      account: agent.account,
      nickname: agent.nickname,
      brand_id: brandId,
      level: agent.level,
      parent_id: agent.parentId,
      status: agent.status,
      balance: agent.balance,
      commission_rate: agent.commissionRate,
      phone: mask(this.pii.decrypt(agent.phoneNum)),
      bank_id: agent.bankName,
      bank_name: banks.find((bank) => bank.bank_id === agent.bankName)?.name ?? agent.bankName,
      bank_num: mask(this.pii.decrypt(agent.bankNum)),
      card_number: mask(this.pii.decrypt(agent.cardNumber)),
      holder_name: agent.holderName,
      last_login_at: agent.lastLoginAt ? agent.lastLoginAt.toISOString() : null,
    };
  }

  async topInfo(principal: AgentPrincipal, brandId: BrandId): Promise<TopInfo> {
    const agent = await this.requireAgent(principal.agentId);
    const counts = await this.db.brandTransaction(brandId, async (tx) => {
      const unread = await tx.sql<{ n: string }>(
        `SELECT count(*) AS n FROM agent_message WHERE brand_id = $1 AND agent_id = $2 AND is_read = false`,
        [agent.guid],
      );
      const players = await tx.sql<{ n: string }>(
        `SELECT count(*) AS n FROM player WHERE brand_id = $1 AND agent_id = $2`,
        [agent.guid],
      );
      return { unread: Number(unread.rows[0]?.n ?? 0), players: Number(players.rows[0]?.n ?? 0) };
    });
    return {
      agent_id: agent.guid,
      account: agent.account,
      nickname: agent.nickname,
      brand_id: brandId,
      balance: agent.balance,
      unread_messages: counts.unread,
      player_count: counts.players,
    };
  }

  async editPassword(
    principal: AgentPrincipal,
    oldPassword: string,
    newPassword: string,
  ): Promise<EditPasswordResult> {
    const agent = await this.requireAgent(principal.agentId);
    if (!(await this.hasher.verify(oldPassword, agent.passwordHash)))
      throw new BusinessRuleError('old password is wrong');
    if (oldPassword === newPassword) throw new BusinessRuleError('new password must differ from the old one');
    const passwordHash = await this.hasher.hash(newPassword);
    const revoked = await this.db.transaction(async (manager) => {
      await this.agents.update(manager, agent.guid, { passwordHash });
      // Last before commit, as recovery does: if the tokens cannot be revoked (Redis down), the new
      // password rolls back too, so no token issued under the old password outlives the change.
      return this.sessions.revokeAll(agent.guid);
    });
    return { revoked_sessions: revoked };
  }

  private async requireAgent(agentId: number): Promise<Agent> {
    const agent = await this.agents.findById(agentId);
    if (!agent) throw new NotFoundError('agent not found');
    return agent;
  }

  private async logAttempt(
    ctx: LoginContext,
    agentId: number | null,
    account: string,
    success: boolean,
    reason: string,
  ): Promise<void> {
    await this.db.brandTransaction(ctx.brandId, (tx) =>
      tx.repo(AgentLoginLog).insert({
        agentId,
        account: account.slice(0, 64),
        success,
        reason,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      }),
    );
  }
}
