/**
 * Player registration, registration SMS, login and logout (seed 000 "auth
 * and registration helpers"; ADR-009 "Player identity is per-brand";
 * CONTRACTS §4, §5, §7):
 * - registration runs under the request brand (X-Brand-Id); a body brand_id
 *   that differs is refused with 51 in every mode and creates nothing; the
 *   legacy `domain` field only selects agent and level through the domain
 *   maps (a domain bound to another brand is ignored); agent_setting
 *   (agent_id, brand_id).registration_mode decides open / closed / approval;
 *   UNIQUE(brand_id, account) makes a duplicate status 8 while the same
 *   account registers freely in another brand; the phone is stored AES-GCM
 *   encrypted with a keyed lookup digest; PLAYER_REGISTERED is written to the
 *   outbox in the same transaction;
 * - login verifies the scrypt hash (a dummy hash is verified for unknown
 *   accounts so timing does not reveal them), applies the brand's
 *   login_policy (captcha, lockout after repeated failures), writes one
 *   player_login_log row per attempt, mints the RS256 player token with
 *   brand_id and replaces the brand session key (one session per player and
 *   brand).
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type PlayerConfig } from '@app/config';
import { BrandEnforcement, DomainMapResolver, extractDomain } from '@app/brand-context';
import { JwtIssuer, PasswordHasher } from '@app/auth';
import { contactHashShort, ipHash, PiiCipher } from '@app/crypto';
import { AgentSetting, asBrandId, Database, Player, PlayerLoginLog } from '@app/database';
import {
  BusinessRuleError,
  ConflictError,
  DownstreamUnavailableError,
  InvalidInputError,
  RateLimitedError,
} from '@app/http';
import { CodeDelivery, contactLookupHash, FixedWindowRateLimiter, OtpStore, parsePhone } from '@app/recovery';
import { REDIS, redisOrUnavailable } from '@app/redis';
import { BrandPolicyService } from '../shared/brand-policy.service';
import { PLAYER_OTP } from '../shared/otp.providers';
import { PlayerEvents } from '../shared/player-events';
import type { PlayerIdentity, RequestInfo } from '../shared/request-info';
import { SessionStore } from '../shared/session.store';
import { CaptchaService } from '../content/captcha.service';
import type { LoginDto, RegisterDto, SendSmsDto } from './auth.dto';

export type RegistrationMode = 'open' | 'closed' | 'approval';

export function registerOtpKey(brandId: number, phoneDigest: string): string {
  return `otp:player:register:${brandId}:${phoneDigest}`;
}

/** KEYS[1] the failure count; ARGV max, lockout seconds. -1 when at max, else the count after this attempt. */
const COUNT_ATTEMPT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return -1 end
n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n
`;

export function loginFailKey(brandId: number, account: string): string {
  return `login:fail:${brandId}:${account}`;
}

/** A body brand_id as an integer, or null when it is not one. */
function bodyBrandId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^[0-9]{1,10}$/.test(value.trim())) return Number(value.trim());
  return null;
}

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger('PlayerAuth');
  private dummyHash: Promise<string> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: PlayerConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLAYER_OTP) private readonly otp: OtpStore,
    private readonly db: Database,
    private readonly enforcement: BrandEnforcement,
    private readonly domains: DomainMapResolver,
    private readonly issuer: JwtIssuer,
    private readonly hasher: PasswordHasher,
    private readonly cipher: PiiCipher,
    private readonly policies: BrandPolicyService,
    private readonly captcha: CaptchaService,
    private readonly delivery: CodeDelivery,
    private readonly limiter: FixedWindowRateLimiter,
    private readonly sessions: SessionStore,
    private readonly events: PlayerEvents,
  ) {}

  async register(brandId: number, dto: RegisterDto, info: RequestInfo): Promise<{ player_id: number; account: string; brand_id: number }> {
    if (dto.brand_id !== undefined && dto.brand_id !== null && bodyBrandId(dto.brand_id) !== brandId) {
      this.enforcement.strictMismatch('register_body_brand_mismatch', {
        brandId,
        expectedBrandId: brandId,
        actualBrandId: bodyBrandId(dto.brand_id),
      });
    }
    const { registration, feature } = await this.policies.policies(brandId);
    if (!feature.registration || !registration.enabled) throw new BusinessRuleError('registration is disabled');

    const phone = dto.phone !== undefined && dto.phone.trim() !== '' ? parsePhone(dto.phone) : null;
    if ((registration.require_phone || registration.require_sms_verification) && phone === null) {
      throw new InvalidInputError('invalid input', { phone: ['isNotEmpty'] });
    }
    const phoneHash = phone === null ? null : contactLookupHash(phone, this.pepper);
    if (registration.require_captcha) await this.captcha.verify(brandId, dto.captcha_id, dto.captcha);
    if (registration.require_sms_verification) {
      const check = await this.otpCheck(registerOtpKey(brandId, phoneHash as string), dto.sms_code);
      if (!check) throw new BusinessRuleError('invalid or expired verification code');
    }

    // The domain the gateway resolved wins over the body's: a client must not pick its agent or
    // level (and with it the agent's registration mode) by naming another domain in the body.
    const binding = await this.domainBinding(brandId, info.domain ?? dto.domain ?? undefined);
    const agentId = binding?.agentId ?? registration.default_agent_id;
    const level = binding?.level ?? registration.default_level;
    const passwordHash = await this.hasher.hash(dto.password);
    const phoneNum = phone === null ? null : this.cipher.encrypt(phone);

    try {
      return await this.db.brandTransaction(asBrandId(brandId), async (tx) => {
        let status: 'enabled' | 'disabled' = 'enabled';
        if (agentId !== null) {
          const setting = await tx.repo(AgentSetting).findOne({ agentId });
          const mode = (setting?.registrationMode ?? 'open') as RegistrationMode;
          if (mode === 'closed') throw new BusinessRuleError('registration is closed for this agent');
          // 'approval' (and any mode this service does not know) registers a disabled player that an operator enables.
          if (mode !== 'open') status = 'disabled';
        }
        if (phoneHash !== null) {
          // Registrations of the same phone in the brand take turns, so the check below cannot pass
          // for two at once (there is no unique index on the phone: rows from before may repeat one).
          await tx.sql(`SELECT pg_advisory_xact_lock(hashtext('player_phone'), hashtext($1::text || ':' || $2))`, [phoneHash]);
          if ((await tx.repo(Player).count({ phoneHash })) > 0) throw new ConflictError('phone already registered');
        }
        const inserted = await tx.repo(Player).insert({
          account: dto.account,
          passwordHash,
          phoneNum,
          phoneHash,
          agentId,
          level,
          status,
          registerIp: info.ip,
        });
        const playerId = Number(inserted.identifiers[0].id);
        await this.events.emit(tx, 'PLAYER_REGISTERED', playerId, { account: dto.account, agent_id: agentId, level, status });
        this.logger.log({ msg: 'player registered', brand_id: brandId, player_id: playerId, agent_id: agentId, status });
        return { player_id: playerId, account: dto.account, brand_id: brandId };
      });
    } catch (err) {
      if (pgCode(err) === '23505') throw new ConflictError('account already exists');
      if (pgCode(err) === '23503') throw new BusinessRuleError('unknown agent');
      throw err;
    }
  }

  /** Registration SMS: a CSPRNG code, stored hashed under the brand and phone digest. */
  async sendRegisterSms(brandId: number, dto: SendSmsDto, info: RequestInfo): Promise<{ sent: true; expires_in: number }> {
    const { sms } = await this.policies.policies(brandId);
    if (!sms.enabled) throw new BusinessRuleError('sms verification is disabled');
    const phone = parsePhone(dto.phone);
    const digest = contactLookupHash(phone, this.pepper);
    await this.rateLimit('register_sms', brandId, digest, contactHashShort(phone), info.ip);
    const code = await this.redisOp(() => this.otp.issue(registerOtpKey(brandId, digest)));
    const result = await this.delivery.deliver({ kind: 'phone', value: phone }, code, 'player_register');
    if (!result.delivered) throw new DownstreamUnavailableError('sms delivery failed');
    return { sent: true, expires_in: this.otp.ttlSeconds };
  }

  async login(
    brandId: number,
    dto: LoginDto,
    info: RequestInfo,
  ): Promise<{ token: string; expires_in: number; player: { player_id: number; account: string; brand_id: number } }> {
    const { login } = await this.policies.policies(brandId);
    const failKey = loginFailKey(brandId, dto.account);
    const lockedOut = async (): Promise<never> => {
      await this.logAttempt(brandId, null, dto.account, false, 'locked_out', info);
      throw new RateLimitedError('too many failed logins, try again later');
    };
    // A cheap refusal first, so a locked-out account does not spend its captcha.
    const failures = Number((await this.redisOp(() => this.redis.get(failKey))) ?? 0);
    if (failures >= login.max_failed_attempts) await lockedOut();
    if (login.require_captcha) await this.captcha.verify(brandId, dto.captcha_id, dto.captcha);
    // Then the attempt is counted before the password is checked, atomically against the limit:
    // concurrent attempts cannot all read the same count and all be checked.
    const attempt = await this.redisOp(() => this.countAttempt(failKey, login.max_failed_attempts, login.lockout_seconds));
    if (attempt === null) await lockedOut();

    const player = await this.db.brandTransaction(asBrandId(brandId), (tx) => tx.repo(Player).findOne({ account: dto.account }));
    const valid = player
      ? await this.hasher.verify(dto.password, player.passwordHash)
      : (await this.hasher.verify(dto.password, await this.dummy()), false);
    if (!player || !valid) {
      await this.logAttempt(brandId, player?.id ?? null, dto.account, false, 'bad_credentials', info);
      throw new BusinessRuleError('invalid account or password');
    }
    // The right password: this attempt is not a failure (as before, a disabled account's right password does not count).
    await this.redis.del(failKey).catch(() => undefined);
    if (player.status !== 'enabled') {
      await this.logAttempt(brandId, player.id, dto.account, false, `status_${player.status}`, info);
      throw new BusinessRuleError('account is not enabled');
    }

    const issued = await this.issuer.signPlayer({ playerId: player.id, account: player.account, brandId });
    const rehash = this.hasher.needsRehash(player.passwordHash) ? await this.hasher.hash(dto.password) : null;
    const opened = await this.db.brandTransaction(asBrandId(brandId), async (tx) => {
      // The row is locked and its hash must still be the one just verified: a password change or
      // reset that committed meanwhile wins (this login fails), and one that comes later waits for
      // this lock and then revokes the session opened below, so no session outlives a change.
      const current = await tx.repo(Player).findOne({ id: player.id }, { lock: { mode: 'pessimistic_write' } });
      if (current?.passwordHash !== player.passwordHash || current.status !== 'enabled') return false;
      await tx.repo(Player).update({ id: player.id }, rehash ? { lastLoginAt: new Date(), passwordHash: rehash } : { lastLoginAt: new Date() });
      await tx.repo(PlayerLoginLog).insert(this.logRow(player.id, player.account, true, null, info));
      // The new session replaces the previous one: its jti no longer matches at the gateway.
      await this.sessions.open(brandId, player.account, { jti: issued.jti, playerId: player.id }, issued.expiresIn);
      return true;
    });
    if (!opened) {
      await this.logAttempt(brandId, player.id, dto.account, false, 'changed_during_login', info);
      throw new BusinessRuleError('invalid account or password');
    }
    return {
      token: issued.token,
      expires_in: issued.expiresIn,
      player: { player_id: player.id, account: player.account, brand_id: brandId },
    };
  }

  async logout(brandId: number, identity: PlayerIdentity): Promise<null> {
    await this.sessions.close(brandId, identity.account, identity.jti);
    return null;
  }

  /**
   * Counts one login attempt unless the account is already at `max` failures: the attempt's number,
   * or null when locked out (nothing counted then, so a lockout is not extended by more tries).
   */
  private async countAttempt(key: string, max: number, lockoutSeconds: number): Promise<number | null> {
    const n = (await this.redis.eval(COUNT_ATTEMPT, 1, key, max, lockoutSeconds)) as number;
    return n < 0 ? null : n;
  }

  private get pepper(): string {
    return this.config.PASSWORD_SALT ?? '';
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }

  private async domainBinding(brandId: number, domain: string | undefined): Promise<{ agentId: number | null; level: number | null } | null> {
    if (!domain) return null;
    const host = extractDomain({ host: domain.replace(/^[a-z]+:\/\//i, '').split('/')[0] });
    if (!host) return null;
    let binding;
    try {
      binding = await this.domains.resolve(host);
    } catch {
      throw new DownstreamUnavailableError('domain map unavailable');
    }
    // The body domain never chooses the brand; a domain of another brand contributes nothing.
    if (!binding || binding.brandId !== brandId) return null;
    return { agentId: binding.agentId, level: binding.level };
  }

  private async otpCheck(key: string, code: string | undefined): Promise<boolean> {
    if (!code) return false;
    const result = await this.redisOp(() => this.otp.check(key, code));
    return result.ok;
  }

  /** `contactHash`: the log form every contact line uses (first 8 hex of sha256), not the keyed digest. */
  private async rateLimit(purpose: string, brandId: number, digest: string, contactHash: string, ip: string | null): Promise<void> {
    const window = this.config.RECOVERY_RATE_LIMIT_WINDOW_SECONDS;
    const rules = [{ key: `rl:player:${purpose}:contact:${brandId}:${digest}`, limit: this.config.RECOVERY_RATE_LIMIT_PER_CONTACT, windowSeconds: window }];
    if (ip) rules.push({ key: `rl:player:${purpose}:ip:${ipHash(ip)}`, limit: this.config.RECOVERY_RATE_LIMIT_PER_IP, windowSeconds: window });
    const verdict = await this.redisOp(() => this.limiter.hit(rules));
    if (!verdict.allowed) {
      this.logger.warn({ msg: 'otp send rate limited', purpose, brand_id: brandId, contact_hash: contactHash });
      throw new RateLimitedError();
    }
  }

  private logRow(playerId: number | null, account: string, success: boolean, reason: string | null, info: RequestInfo) {
    return { playerId, account, success, reason, ip: info.ip, userAgent: info.userAgent };
  }

  private async logAttempt(brandId: number, playerId: number | null, account: string, success: boolean, reason: string, info: RequestInfo): Promise<void> {
    await this.db.brandTransaction(asBrandId(brandId), (tx) => tx.repo(PlayerLoginLog).insert(this.logRow(playerId, account, success, reason, info)));
  }

  private redisOp<T>(fn: () => Promise<T>): Promise<T> {
    return redisOrUnavailable('redis', fn);
  }
}

