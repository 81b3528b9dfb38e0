import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import type { RecoveryAuditRow, RecoveryAuditWriter } from '@app/audit';
import type { RecoveryClaims } from '@app/auth';
import { contactHash, contactHashShort, ipHash } from '@app/crypto';
import {
  BrandContextRequiredError,
  BrandMismatchError,
  BrandNotAllowedError,
  BusinessRuleError,
  DomainError,
  DownstreamUnavailableError,
  RateLimitedError,
} from '@app/http';
import type { CodeDelivery, LoggerLike } from './code-delivery';
import { type Contact, contactLookupHash, parseContact } from './contact';
import { OtpStore } from './otp-store';
import { FixedWindowRateLimiter, type RateLimitRule } from './rate-limiter';

/**
 * Password recovery, request → verify → reset, shared by player_service and
 * agent_service (seed 000 "recovery flow brand precedence" and the
 * recovery_audit guarantees; seed 001 for agents; CONTRACTS §5, §7, §11).
 *
 * - request {contact}: counted per contact and per IP first (RATE_LIMITED is
 *   audited and answers 6), then the account is looked up inside the request
 *   brand only. Known and unknown contacts take the same path: a CSPRNG code
 *   is stored hashed (unknown contacts get a code bound to no subject, which
 *   can never verify), one REQUEST row is audited, and the answer is the same
 *   `{accepted: true}`. Delivery runs after the answer is decided and is not
 *   awaited, so an SMS round trip cannot reveal that an account exists.
 * - verify {contact, code}: limited attempts (OtpStore); a wrong code, an
 *   expired code and an unknown contact all answer status 1 with one
 *   message. A match mints the `typ: recovery` JWT (brand_id, subject_type,
 *   sub, single-use jti remembered in Redis until `exp`).
 * - reset {reset_token, new_password}: the token's brand_id wins over the
 *   request (domain) brand, which is only the fallback for tokens without
 *   one; a resolved brand the account does not belong to is refused with 51
 *   (agents: a brand not enabled for the agent with 52) in EVERY enforcement
 *   mode, audited as BRAND_MISMATCH / BRAND_NOT_ALLOWED. The jti is consumed
 *   once; the password UPDATE and the RESET audit row share one transaction
 *   and the sessions are revoked last inside it, so a failing audit insert
 *   leaves the password and the sessions unchanged (and the jti is given
 *   back so the user can retry), and a failing revocation rolls back too.
 *
 * Logs carry `contact_hash=<first 8 hex>` only; audit rows carry full
 * SHA-256 of the contact and the IP and never the contact, code or token.
 * The lib is subject-agnostic: everything about accounts goes through
 * `RecoveryPorts`.
 */

export type RecoverySubjectType = 'player' | 'agent';

/** A unit of work inside one database transaction; audit rows are written through `manager`. */
export interface RecoveryTx {
  manager: EntityManager;
}

export interface RecoveryPorts<Tx extends RecoveryTx> {
  /** Runs `fn` in one transaction scoped to `brandId`. */
  transaction<T>(brandId: number, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** The account of the brand whose phone/email is `contact` (a brand-scoped lookup). */
  findByContact(tx: Tx, brandId: number, contact: Contact): Promise<{ id: string } | null>;
  /** Whether the account `subjectId` belongs to `brandId` (players: the row's brand). */
  belongsToBrand(tx: Tx, brandId: number, subjectId: string): Promise<boolean>;
  /** Agents: whether `brandId` is enabled for the agent in agent_brand. Players omit it. */
  brandAllowed?(tx: Tx, brandId: number, subjectId: string): Promise<boolean>;
  updatePassword(tx: Tx, brandId: number, subjectId: string, passwordHash: string): Promise<void>;
  /** Ends every session of the account in the brand; throwing rolls the reset back. */
  revokeSessions(tx: Tx, brandId: number, subjectId: string): Promise<void>;
}

export interface RecoveryServiceOptions {
  subjectType: RecoverySubjectType;
  /** Metric and log label, e.g. `player_service`. */
  service: string;
  /** RECOVERY_TOKEN_TTL_MINUTES × 60: lifetime of codes and reset tokens. */
  ttlSeconds: number;
  maxAttempts: number;
  rateLimitPerContact: number;
  rateLimitPerIp: number;
  rateLimitWindowSeconds: number;
  /** Pepper of stored code digests (PASSWORD_SALT). */
  pepper: string;
}

export interface RecoveryTokenIssuer {
  signRecovery(input: { subjectType: RecoverySubjectType; sub: string; brandId: number; ttlSeconds: number }): Promise<{
    token: string;
    jti: string;
    exp: number;
  }>;
}

export interface RecoveryTokenVerifier {
  verify(token: string, typ: 'recovery'): Promise<RecoveryClaims>;
}

export interface RecoveryBrandEnforcement {
  strictMismatch(reason: string, details: Record<string, unknown>): never;
  strictNotAllowed(reason: string, details: Record<string, unknown>): never;
}

export interface RecoveryDeps {
  redis: Redis;
  issuer: RecoveryTokenIssuer;
  verifier: RecoveryTokenVerifier;
  hasher: { hash(password: string): Promise<string> };
  delivery: CodeDelivery;
  audit: RecoveryAuditWriter;
  enforcement: RecoveryBrandEnforcement;
  logger?: LoggerLike;
}

/** Who is asking: the request brand (X-Brand-Id), the client IP and the request id. */
export interface RecoveryRequestContext {
  brandId: number | null;
  ip: string | null;
  requestId: string | null;
}

export const RECOVERY_ACTIONS = {
  request: 'REQUEST',
  verify: 'VERIFY',
  reset: 'RESET',
  rateLimited: 'RATE_LIMITED',
  tokenInvalid: 'TOKEN_INVALID',
  brandMismatch: 'BRAND_MISMATCH',
  brandNotAllowed: 'BRAND_NOT_ALLOWED',
} as const;

const INVALID_CODE = 'invalid or expired verification code';
const INVALID_TOKEN = 'invalid or expired reset token';

type Step = 'request' | 'verify' | 'reset';

export class RecoveryService<Tx extends RecoveryTx> {
  private readonly codes: OtpStore;
  private readonly limiter: FixedWindowRateLimiter;
  private readonly logger: LoggerLike;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly options: RecoveryServiceOptions,
    private readonly ports: RecoveryPorts<Tx>,
    private readonly deps: RecoveryDeps,
  ) {
    this.codes = new OtpStore(deps.redis, {
      pepper: `recovery:${options.pepper}`,
      ttlSeconds: options.ttlSeconds,
      maxAttempts: options.maxAttempts,
    });
    this.limiter = new FixedWindowRateLimiter(deps.redis);
    this.logger = deps.logger ?? new Logger(`Recovery(${options.subjectType})`);
  }

  /** POST …/recovery/request → `{accepted: true}` whether or not the contact is known. */
  async request(ctx: RecoveryRequestContext, rawContact: unknown): Promise<{ accepted: true }> {
    const brandId = this.requireBrand(ctx);
    const contact = parseContact(rawContact);
    const hashes = this.hashes(contact, ctx);
    await this.rateLimit('request', brandId, contact, ctx, hashes);

    const key = this.codeKey(brandId, contact);
    const issued = await this.ports.transaction(brandId, async (tx) => {
      const subject = await this.ports.findByContact(tx, brandId, contact);
      let outcome: 'issued' | 'unknown_contact' | 'brand_not_allowed' = subject ? 'issued' : 'unknown_contact';
      if (subject && this.ports.brandAllowed && !(await this.ports.brandAllowed(tx, brandId, subject.id))) {
        // Answered like an unknown contact: a refusal here would confirm the account exists.
        outcome = 'brand_not_allowed';
      }
      const action = outcome === 'brand_not_allowed' ? RECOVERY_ACTIONS.brandNotAllowed : RECOVERY_ACTIONS.request;
      await this.audit(tx.manager, brandId, ctx, hashes, {
        action,
        outcome: outcome === 'brand_not_allowed' ? 'rejected' : outcome,
        subjectId: subject?.id ?? null,
        metadata: { step: 'request', contact_kind: contact.kind },
      });
      const code = await this.redisOp(() => this.codes.issue(key, outcome === 'issued' ? (subject?.id ?? null) : null));
      return outcome === 'issued' ? code : null;
    });
    this.logger.log({ msg: 'recovery requested', subject_type: this.options.subjectType, brand_id: brandId, contact_hash: hashes.short });
    if (issued !== null) this.track(this.deps.delivery.deliver(contact, issued, `${this.options.subjectType}_recovery`));
    return { accepted: true };
  }

  /** POST …/recovery/verify → `{reset_token}`; a wrong code and an unknown contact answer the same status 1. */
  async verify(ctx: RecoveryRequestContext, rawContact: unknown, code: unknown): Promise<{ reset_token: string }> {
    const brandId = this.requireBrand(ctx);
    const contact = parseContact(rawContact);
    const hashes = this.hashes(contact, ctx);
    await this.rateLimit('verify', brandId, contact, ctx, hashes);

    const check = await this.redisOp(() =>
      this.codes.check(this.codeKey(brandId, contact), typeof code === 'string' ? code : ''),
    );
    const subjectId = check.ok ? check.subject : null;
    if (!check.ok || subjectId === null) {
      await this.ports.transaction(brandId, (tx) =>
        this.audit(tx.manager, brandId, ctx, hashes, {
          action: RECOVERY_ACTIONS.verify,
          outcome: 'invalid_code',
          metadata: { step: 'verify', reason: check.ok ? 'no_subject' : check.reason },
        }),
      );
      throw new BusinessRuleError(INVALID_CODE);
    }

    const token = await this.ports.transaction(brandId, async (tx) => {
      await this.assertBrand(tx, brandId, subjectId, 'verify', 'domain', ctx, hashes);
      const issued = await this.deps.issuer.signRecovery({
        subjectType: this.options.subjectType,
        sub: subjectId,
        brandId,
        ttlSeconds: this.options.ttlSeconds,
      });
      await this.audit(tx.manager, brandId, ctx, hashes, {
        action: RECOVERY_ACTIONS.verify,
        outcome: 'success',
        subjectId,
        metadata: { step: 'verify', token_jti: issued.jti },
      });
      await this.redisOp(() => this.deps.redis.set(this.jtiKey(issued.jti), `${brandId}:${subjectId}`, 'EX', this.options.ttlSeconds));
      return issued.token;
    });
    this.logger.log({ msg: 'recovery code verified', subject_type: this.options.subjectType, brand_id: brandId, contact_hash: hashes.short });
    return { reset_token: token };
  }

  /** POST …/recovery/reset → null; revokes every session of the account. */
  async reset(ctx: RecoveryRequestContext, token: unknown, newPassword: string): Promise<null> {
    const hashes = { contact: null, short: null, ip: ctx.ip ? ipHash(ctx.ip) : null };
    let claims: RecoveryClaims;
    try {
      claims = await this.deps.verifier.verify(typeof token === 'string' ? token : '', 'recovery');
      if (claims.subject_type !== this.options.subjectType) throw new Error('subject_type');
    } catch {
      await this.rejectToken(ctx.brandId, ctx, hashes, 'invalid');
      throw new BusinessRuleError(INVALID_TOKEN);
    }

    // Brand precedence: the signed claim first, the request (domain) brand only for tokens without one.
    const source: 'token' | 'domain' = claims.brand_id !== undefined ? 'token' : 'domain';
    const brandId = claims.brand_id ?? ctx.brandId;
    if (brandId === null || brandId === undefined) throw new BrandContextRequiredError();
    const subjectId = claims.sub;

    const jtiKey = this.jtiKey(claims.jti);
    const claimed = await this.redisOp(() => this.deps.redis.getdel(jtiKey));
    if (claimed === null) {
      await this.rejectToken(brandId, ctx, hashes, 'used_or_expired', subjectId);
      throw new BusinessRuleError(INVALID_TOKEN);
    }

    const passwordHash = await this.deps.hasher.hash(newPassword);
    try {
      await this.ports.transaction(brandId, async (tx) => {
        await this.assertBrand(tx, brandId, subjectId, 'reset', source, ctx, hashes);
        await this.ports.updatePassword(tx, brandId, subjectId, passwordHash);
        await this.audit(tx.manager, brandId, ctx, hashes, {
          action: RECOVERY_ACTIONS.reset,
          outcome: 'success',
          subjectId,
          metadata: { step: 'reset', brand_source: source, token_jti: claims.jti, sessions_revoked: true },
        });
        // Last before commit: Redis is not transactional, so sessions end only once every database write
        // succeeded; a failing revocation still rolls the password change back.
        await this.ports.revokeSessions(tx, brandId, subjectId);
      });
    } catch (err) {
      // A brand refusal burns the token; any other failure (audit insert, database, session store) gives it back.
      if (!(err instanceof BrandMismatchError || err instanceof BrandNotAllowedError)) await this.restoreJti(jtiKey, claimed, claims.exp);
      throw err;
    }
    this.logger.log({ msg: 'password reset by recovery', subject_type: this.options.subjectType, brand_id: brandId, subject_id: subjectId });
    return null;
  }

  /** Waits for code deliveries still in flight (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async assertBrand(
    tx: Tx,
    brandId: number,
    subjectId: string,
    step: Step,
    source: 'token' | 'domain',
    ctx: RecoveryRequestContext,
    hashes: AuditHashes,
  ): Promise<void> {
    const details = { brandId, brand_source: source, subject_type: this.options.subjectType, step };
    if (!(await this.ports.belongsToBrand(tx, brandId, subjectId))) {
      await this.auditAlone(brandId, ctx, hashes, RECOVERY_ACTIONS.brandMismatch, subjectId, { step, brand_source: source });
      this.deps.enforcement.strictMismatch('recovery_brand_mismatch', details);
    }
    if (this.ports.brandAllowed && !(await this.ports.brandAllowed(tx, brandId, subjectId))) {
      await this.auditAlone(brandId, ctx, hashes, RECOVERY_ACTIONS.brandNotAllowed, subjectId, { step, brand_source: source });
      this.deps.enforcement.strictNotAllowed('recovery_brand_not_allowed', details);
    }
  }

  /** A rejection's audit row commits on its own: the request fails, the record of it must not. */
  private auditAlone(
    brandId: number,
    ctx: RecoveryRequestContext,
    hashes: AuditHashes,
    action: string,
    subjectId: string | null,
    metadata: Record<string, unknown>,
  ): Promise<unknown> {
    return this.ports.transaction(brandId, (tx) =>
      this.audit(tx.manager, brandId, ctx, hashes, { action, outcome: 'rejected', subjectId, metadata }),
    );
  }

  private async rejectToken(
    brandId: number | null,
    ctx: RecoveryRequestContext,
    hashes: AuditHashes,
    reason: string,
    subjectId: string | null = null,
  ): Promise<void> {
    if (brandId === null) throw new BrandContextRequiredError();
    await this.auditAlone(brandId, ctx, hashes, RECOVERY_ACTIONS.tokenInvalid, subjectId, { step: 'reset', reason });
    this.logger.warn({ msg: 'recovery reset token refused', subject_type: this.options.subjectType, brand_id: brandId, reason });
  }

  private async rateLimit(step: Step, brandId: number, contact: Contact, ctx: RecoveryRequestContext, hashes: AuditHashes): Promise<void> {
    const { rateLimitPerContact, rateLimitPerIp, rateLimitWindowSeconds, subjectType } = this.options;
    const rules: RateLimitRule[] = [
      { key: `recovery:${subjectType}:rl:${step}:contact:${brandId}:${this.keyDigest(contact)}`, limit: rateLimitPerContact, windowSeconds: rateLimitWindowSeconds },
    ];
    if (hashes.ip) {
      rules.push({ key: `recovery:${subjectType}:rl:${step}:ip:${hashes.ip}`, limit: rateLimitPerIp, windowSeconds: rateLimitWindowSeconds });
    }
    const verdict = await this.redisOp(() => this.limiter.hit(rules));
    if (verdict.allowed) return;
    const limit = verdict.exceeded === rules[0] ? 'contact' : 'ip';
    await this.auditAlone(brandId, ctx, hashes, RECOVERY_ACTIONS.rateLimited, null, { step, limit, contact_kind: contact.kind });
    this.logger.warn({ msg: 'recovery rate limited', subject_type: subjectType, brand_id: brandId, contact_hash: hashes.short, limit, step });
    throw new RateLimitedError();
  }

  private audit(
    manager: EntityManager,
    brandId: number,
    ctx: RecoveryRequestContext,
    hashes: AuditHashes,
    row: Pick<RecoveryAuditRow, 'action' | 'outcome' | 'subjectId' | 'metadata'>,
  ): Promise<string> {
    return this.deps.audit.write(manager, {
      brandId,
      subjectType: this.options.subjectType,
      contactHash: hashes.contact,
      ipHash: hashes.ip,
      requestId: ctx.requestId,
      ...row,
    });
  }

  private hashes(contact: Contact, ctx: RecoveryRequestContext): AuditHashes & { contact: string; short: string } {
    return { contact: contactHash(contact.value), short: contactHashShort(contact.value), ip: ctx.ip ? ipHash(ctx.ip) : null };
  }

  private requireBrand(ctx: RecoveryRequestContext): number {
    if (ctx.brandId === null || !Number.isSafeInteger(ctx.brandId) || ctx.brandId <= 0) throw new BrandContextRequiredError();
    return ctx.brandId;
  }

  /** Redis keys carry the keyed lookup digest: a Redis dump must not allow brute-forcing phone numbers. */
  private keyDigest(contact: Contact): string {
    return contactLookupHash(contact.value, this.options.pepper);
  }

  private codeKey(brandId: number, contact: Contact): string {
    return `recovery:${this.options.subjectType}:code:${brandId}:${this.keyDigest(contact)}`;
  }

  private jtiKey(jti: string): string {
    return `recovery:${this.options.subjectType}:jti:${jti}`;
  }

  private async restoreJti(key: string, value: string, exp: number): Promise<void> {
    const ttl = exp - Math.floor(Date.now() / 1000);
    if (ttl <= 0) return;
    await this.deps.redis.set(key, value, 'EX', ttl).catch(() => undefined);
  }

  /** Redis failures become status 7 instead of an unhandled 500 (fail closed). */
  private async redisOp<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      this.logger.warn({ msg: 'recovery redis operation failed', error: err instanceof Error ? err.message : String(err) });
      throw new DownstreamUnavailableError('recovery store unavailable');
    }
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

interface AuditHashes {
  contact: string | null;
  short: string | null;
  ip: string | null;
}
