/**
 * Audited OTP edits of the agent's phone and payout bank (seed 001, Codex
 * T1-D-C4 and the admin_audit guarantee): `send-sms` issues a CSPRNG code kept
 * only as a keyed digest in Redis (TTL, attempt limit, single use) and writes
 * an `AGENT_EDIT_*_SEND_SMS` admin_audit row; the edit itself writes the
 * agent-row UPDATE and its `AGENT_EDIT_PHONE` / `AGENT_EDIT_BANK` row in ONE
 * transaction, so a payout-account swap can never commit unaudited and an
 * audit row never survives a failed update. Audit rows carry
 * `operator_id='agent:<guid>'`, `resource='agent'` and only `contact_hash` /
 * `bank_id` (never the phone, account number, card or code). Logs carry
 * contact_hash only (CodeDelivery); the raw code is logged only behind
 * RECOVERY_EXPOSE_TOKEN_FOR_TESTS.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AdminAuditWriter } from '@app/audit';
import { APP_CONFIG, type AgentConfig } from '@app/config';
import { contactHash, PiiCipher } from '@app/crypto';
import { type BrandId, Database } from '@app/database';
import { BusinessRuleError, InvalidInputError, NotFoundError, RateLimitedError } from '@app/http';
import { CodeDelivery, contactLookupHash, FixedWindowRateLimiter, OtpStore, parsePhone } from '@app/recovery';
import type { AgentPrincipal } from '../edge/request-context';
import { AgentEvents, AgentEventType } from '../shared/agent-events';
import { EDIT_OTP_STORE } from '../shared/agent-shared.module';
import { AgentsRepository } from '../shared/agents.repository';
import { BrandSettings } from '../shared/brand-settings';
import type { EditBankBody, SmsSent } from './dto';

export const EditAction = {
  PHONE: 'AGENT_EDIT_PHONE',
  BANK: 'AGENT_EDIT_BANK',
  PHONE_SEND_SMS: 'AGENT_EDIT_PHONE_SEND_SMS',
  BANK_SEND_SMS: 'AGENT_EDIT_BANK_SEND_SMS',
} as const;

type Purpose = 'phone' | 'bank';

const INVALID_CODE = 'invalid or expired verification code';

export const otpKey = (purpose: Purpose, agentId: number): string => `agent-otp:${purpose}:${agentId}`;

@Injectable()
export class ContactEditService {
  private readonly logger = new Logger('ContactEdit');
  private readonly audit = new AdminAuditWriter();

  constructor(
    private readonly db: Database,
    private readonly agents: AgentsRepository,
    private readonly pii: PiiCipher,
    private readonly settings: BrandSettings,
    private readonly events: AgentEvents,
    private readonly delivery: CodeDelivery,
    private readonly limiter: FixedWindowRateLimiter,
    @Inject(EDIT_OTP_STORE) private readonly codes: OtpStore,
    @Inject(APP_CONFIG) private readonly config: AgentConfig,
  ) {}

  /** Sends a code to the NEW phone: proves the agent holds it. */
  async sendPhoneCode(
    principal: AgentPrincipal,
    brandId: BrandId,
    rawPhone: string,
    requestId: string | null,
  ): Promise<SmsSent> {
    const phone = parsePhone(rawPhone);
    await this.requireAgent(principal.agentId);
    return this.sendCode('phone', principal, brandId, phone, requestId);
  }

  /** Sends a code to the phone ON FILE: a payout change needs the account holder. */
  async sendBankCode(
    principal: AgentPrincipal,
    brandId: BrandId,
    requestId: string | null,
  ): Promise<SmsSent> {
    const agent = await this.requireAgent(principal.agentId);
    const phone = this.pii.decrypt(agent.phoneNum);
    if (!phone) throw new BusinessRuleError('no phone number on file');
    return this.sendCode('bank', principal, brandId, phone, requestId);
  }

  async editPhone(
    principal: AgentPrincipal,
    brandId: BrandId,
    rawPhone: string,
    code: string,
    requestId: string | null,
  ): Promise<null> {
    const phone = parsePhone(rawPhone);
    const newHash = contactHash(phone);
    await this.consumeCode('phone', principal.agentId, code, newHash);
    const agent = await this.requireAgent(principal.agentId);
    const oldPhone = this.pii.decrypt(agent.phoneNum);
    await this.db.brandTransaction(brandId, async (tx) => {
      await this.agents.update(tx.manager, agent.guid, {
        phoneNum: this.pii.encrypt(phone),
        phoneHash: contactLookupHash(phone, this.config.PASSWORD_SALT ?? ''),
      });
      await this.audit.write(tx.manager, {
        brandId,
        operatorId: `agent:${agent.guid}`,
        action: EditAction.PHONE,
        resource: 'agent',
        resourceId: agent.guid,
        before: { contact_hash: oldPhone ? contactHash(oldPhone) : null },
        after: { contact_hash: newHash },
        requestId,
        payload: { contact_hash: newHash },
      });
      await this.events.emit(
        tx,
        AgentEventType.PHONE_CHANGED,
        { type: 'agent', id: agent.guid },
        { agent_id: agent.guid, contact_hash: newHash },
      );
    });
    this.logger.log({
      msg: 'agent phone changed',
      agent_id: agent.guid,
      brand_id: brandId,
      contact_hash: newHash.slice(0, 8),
    });
    return null;
  }

  async editBank(
    principal: AgentPrincipal,
    brandId: BrandId,
    body: EditBankBody,
    requestId: string | null,
  ): Promise<null> {
    const banks = await this.settings.banks(brandId);
    if (!banks.some((bank) => bank.bank_id === body.bank_id))
      throw new InvalidInputError('invalid input', { bank_id: ['isIn'] });
    const agent = await this.requireAgent(principal.agentId);
    const phone = this.pii.decrypt(agent.phoneNum);
    if (!phone) throw new BusinessRuleError('no phone number on file');
    await this.consumeCode('bank', agent.guid, body.code, contactHash(phone));
    await this.db.brandTransaction(brandId, async (tx) => {
      await this.agents.update(tx.manager, agent.guid, {
        bankName: body.bank_id,
        bankNum: this.pii.encrypt(body.bank_num),
        cardNumber: this.pii.encrypt(body.card_number ?? null),
        holderName: body.holder_name,
      });
      await this.audit.write(tx.manager, {
        brandId,
        operatorId: `agent:${agent.guid}`,
        action: EditAction.BANK,
        resource: 'agent',
        resourceId: agent.guid,
        before: { bank_id: agent.bankName },
        after: { bank_id: body.bank_id },
        requestId,
        payload: { bank_id: body.bank_id },
      });
      await this.events.emit(
        tx,
        AgentEventType.BANK_CHANGED,
        { type: 'agent', id: agent.guid },
        { agent_id: agent.guid, bank_id: body.bank_id },
      );
    });
    this.logger.log({
      msg: 'agent payout bank changed',
      agent_id: agent.guid,
      brand_id: brandId,
      bank_id: body.bank_id,
    });
    return null;
  }

  private async sendCode(
    purpose: Purpose,
    principal: AgentPrincipal,
    brandId: BrandId,
    phone: string,
    requestId: string | null,
  ): Promise<SmsSent> {
    const verdict = await this.limiter.hit([
      {
        key: `agent-otp:rl:${purpose}:${principal.agentId}`,
        limit: this.config.RECOVERY_RATE_LIMIT_PER_CONTACT,
        windowSeconds: this.config.RECOVERY_RATE_LIMIT_WINDOW_SECONDS,
      },
    ]);
    if (!verdict.allowed) throw new RateLimitedError();
    const hash = contactHash(phone);
    const key = otpKey(purpose, principal.agentId);
    const code = await this.codes.issue(key, hash);
    const result = await this.delivery.deliver(
      { kind: 'phone', value: phone },
      code,
      `agent_edit_${purpose}`,
    );
    try {
      await this.db.brandTransaction(brandId, (tx) =>
        this.audit.write(tx.manager, {
          brandId,
          operatorId: `agent:${principal.agentId}`,
          action: purpose === 'phone' ? EditAction.PHONE_SEND_SMS : EditAction.BANK_SEND_SMS,
          resource: 'agent',
          resourceId: principal.agentId,
          requestId,
          payload: { contact_hash: hash, delivered: result.delivered },
        }),
      );
    } catch (err) {
      // No audit row, no usable code.
      await this.codes.discard(key).catch(() => undefined);
      throw err;
    }
    if (!result.delivered) {
      // Only the test escape hatch (code in the logs) keeps an undelivered code usable.
      if (this.config.RECOVERY_EXPOSE_TOKEN_FOR_TESTS === 'on')
        return { sent: false, expires_in: this.codes.ttlSeconds };
      await this.codes.discard(key);
      throw new BusinessRuleError('verification code could not be sent');
    }
    return { sent: true, expires_in: this.codes.ttlSeconds };
  }

  private async consumeCode(
    purpose: Purpose,
    agentId: number,
    code: string,
    expectedContactHash: string,
  ): Promise<void> {
    const check = await this.codes.check(otpKey(purpose, agentId), code);
    if (!check.ok || check.subject !== expectedContactHash) throw new BusinessRuleError(INVALID_CODE);
  }

  private async requireAgent(agentId: number) {
    const agent = await this.agents.findById(agentId);
    if (!agent) throw new NotFoundError('agent not found');
    return agent;
  }
}
