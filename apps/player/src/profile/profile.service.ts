/**
 * Player profile and account (seed 000 "player profile and account info";
 * issue 4 point 3):
 * - info answers masked PII only (phone and bank number decrypted, then
 *   masked to their last 4 characters);
 * - edit password needs the old password, then revokes every session of the
 *   player in the brand (the session key is deleted, so the gateway refuses
 *   every token minted before) and emits PLAYER_PASSWORD_CHANGED;
 * - edit phone and edit bank are OTP-gated: the phone change sends the code
 *   to the NEW phone and binds it to that number (a code sent for one number
 *   cannot change the phone to another); the bank change sends the code to
 *   the phone on file. New values are stored AES-GCM encrypted and the
 *   events carry field names only.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type PlayerConfig } from '@app/config';
import { PasswordHasher } from '@app/auth';
import { PiiCipher, mask } from '@app/crypto';
import { Player } from '@app/database';
import { BusinessRuleError, ConflictError, DownstreamUnavailableError, InvalidInputError, RateLimitedError } from '@app/http';
import { redisOrUnavailable } from '@app/redis';
import { CodeDelivery, contactLookupHash, FixedWindowRateLimiter, OtpStore, parsePhone } from '@app/recovery';
import { BrandPolicyService } from '../shared/brand-policy.service';
import { PLAYER_OTP } from '../shared/otp.providers';
import { PlayerAccessService } from '../shared/player-access.service';
import { PlayerEvents } from '../shared/player-events';
import type { PlayerIdentity, RequestInfo } from '../shared/request-info';
import { SessionStore } from '../shared/session.store';
import type { EditBankDto, EditPasswordDto, EditPhoneDto, PhoneSendSmsDto } from './profile.dto';

export function editOtpKey(purpose: 'edit_phone' | 'edit_bank', brandId: number, playerId: number): string {
  return `otp:player:${purpose}:${brandId}:${playerId}`;
}

export interface PlayerInfo {
  player_id: number;
  account: string;
  brand_id: number;
  nickname: string | null;
  phone: string | null;
  bank_name: string | null;
  bank_num: string | null;
  holder_name: string | null;
  agent_id: number | null;
  level: number;
  status: string;
  last_login_at: string | null;
  created_at: string;
}

function normalizeBankNum(raw: string): string {
  const digits = raw.replace(/[\s-]/g, '');
  if (!/^[0-9]{6,34}$/.test(digits)) throw new InvalidInputError('invalid input', { bank_num: ['isBankNumber'] });
  return digits;
}

@Injectable()
export class ProfileService {
  private readonly logger = new Logger('PlayerProfile');

  constructor(
    @Inject(APP_CONFIG) private readonly config: PlayerConfig,
    @Inject(PLAYER_OTP) private readonly otp: OtpStore,
    private readonly access: PlayerAccessService,
    private readonly hasher: PasswordHasher,
    private readonly cipher: PiiCipher,
    private readonly sessions: SessionStore,
    private readonly events: PlayerEvents,
    private readonly delivery: CodeDelivery,
    private readonly limiter: FixedWindowRateLimiter,
    private readonly policies: BrandPolicyService,
  ) {}

  info(identity: PlayerIdentity, brandId: number): Promise<PlayerInfo> {
    return this.access.withPlayer(identity, brandId, async (_tx, { player, brandId: brand }) => this.describe(player, brand));
  }

  async editPassword(identity: PlayerIdentity, brandId: number, dto: EditPasswordDto): Promise<null> {
    const newHash = await this.hasher.hash(dto.new_password);
    await this.access.withPlayer(
      identity,
      brandId,
      async (tx, { player, brandId: brand }) => {
        if (!(await this.hasher.verify(dto.old_password, player.passwordHash))) throw new BusinessRuleError('old password is incorrect');
        await tx.repo(Player).update({ id: player.id }, { passwordHash: newHash });
        await this.events.emit(tx, 'PLAYER_PASSWORD_CHANGED', player.id, { source: 'edit', sessions_revoked: true });
        // Inside the transaction: if the revocation fails, the password change rolls back with it.
        await this.sessions.revokeAll(brand, player.account);
      },
      { lock: true },
    );
    this.logger.log({ msg: 'player password changed', player_id: identity.playerId, sessions_revoked: true });
    return null;
  }

  async sendPhoneCode(identity: PlayerIdentity, brandId: number, dto: PhoneSendSmsDto, info: RequestInfo): Promise<{ sent: true; expires_in: number }> {
    const phone = parsePhone(dto.phone);
    // The code is issued inside the player's transaction, delivered after it (no connection held over the SMS call).
    const code = await this.access.withPlayer(identity, brandId, async (_tx, { player, brandId: brand }) => {
      await this.assertSmsEnabled(brand);
      await this.rateLimit('edit_phone', brand, player.id, info);
      return this.redisOp(() => this.otp.issue(editOtpKey('edit_phone', brand, player.id), contactLookupHash(phone, this.pepper)));
    });
    return this.deliver(phone, code, 'player_edit_phone');
  }

  async editPhone(identity: PlayerIdentity, brandId: number, dto: EditPhoneDto): Promise<{ phone: string }> {
    const phone = parsePhone(dto.phone);
    const digest = contactLookupHash(phone, this.pepper);
    return this.access.withPlayer(
      identity,
      brandId,
      async (tx, { player, brandId: brand }) => {
        const check = await this.redisOp(() => this.otp.check(editOtpKey('edit_phone', brand, player.id), dto.sms_code));
        if (!check.ok || check.subject !== digest) throw new BusinessRuleError('invalid or expired verification code');
        const others = await tx.repo(Player).find({ phoneHash: digest }, { select: { id: true } });
        if (others.some((row) => row.id !== player.id)) throw new ConflictError('phone already registered');
        await tx.repo(Player).update({ id: player.id }, { phoneNum: this.cipher.encrypt(phone), phoneHash: digest });
        await this.events.emit(tx, 'PLAYER_PROFILE_CHANGED', player.id, { fields: ['phone'] });
        return { phone: mask(phone) };
      },
      { lock: true },
    );
  }

  async sendBankCode(identity: PlayerIdentity, brandId: number, info: RequestInfo): Promise<{ sent: true; expires_in: number }> {
    const { phone, code } = await this.access.withPlayer(identity, brandId, async (_tx, { player, brandId: brand }) => {
      await this.assertSmsEnabled(brand);
      const onFile = this.cipher.decrypt(player.phoneNum);
      if (!onFile) throw new BusinessRuleError('no phone number on file');
      await this.rateLimit('edit_bank', brand, player.id, info);
      return { phone: onFile, code: await this.redisOp(() => this.otp.issue(editOtpKey('edit_bank', brand, player.id))) };
    });
    return this.deliver(phone, code, 'player_edit_bank');
  }

  async editBank(identity: PlayerIdentity, brandId: number, dto: EditBankDto): Promise<{ bank_name: string; bank_num: string; holder_name: string }> {
    const bankNum = normalizeBankNum(dto.bank_num);
    return this.access.withPlayer(
      identity,
      brandId,
      async (tx, { player, brandId: brand }) => {
        const check = await this.redisOp(() => this.otp.check(editOtpKey('edit_bank', brand, player.id), dto.sms_code));
        if (!check.ok) throw new BusinessRuleError('invalid or expired verification code');
        await tx.repo(Player).update(
          { id: player.id },
          { bankName: dto.bank_name.trim(), bankNum: this.cipher.encrypt(bankNum), holderName: dto.holder_name.trim() },
        );
        await this.events.emit(tx, 'PLAYER_PROFILE_CHANGED', player.id, { fields: ['bank'] });
        return { bank_name: dto.bank_name.trim(), bank_num: mask(bankNum), holder_name: dto.holder_name.trim() };
      },
      { lock: true },
    );
  }

  private describe(player: Player, brandId: number): PlayerInfo {
    return {
      player_id: player.id,
      account: player.account,
      brand_id: brandId,
      nickname: player.nickname,
      phone: mask(this.cipher.decrypt(player.phoneNum)),
      bank_name: player.bankName,
      bank_num: mask(this.cipher.decrypt(player.bankNum)),
      holder_name: player.holderName,
      agent_id: player.agentId,
      level: player.level,
      status: player.status,
      last_login_at: player.lastLoginAt ? player.lastLoginAt.toISOString() : null,
      created_at: player.createdAt.toISOString(),
    };
  }

  private get pepper(): string {
    return this.config.PASSWORD_SALT ?? '';
  }

  private async assertSmsEnabled(brandId: number): Promise<void> {
    const { sms } = await this.policies.policies(brandId);
    if (!sms.enabled) throw new BusinessRuleError('sms verification is disabled');
  }

  private async deliver(phone: string, code: string, purpose: string): Promise<{ sent: true; expires_in: number }> {
    const result = await this.delivery.deliver({ kind: 'phone', value: phone }, code, purpose);
    if (!result.delivered) throw new DownstreamUnavailableError('sms delivery failed');
    return { sent: true, expires_in: this.otp.ttlSeconds };
  }

  private async rateLimit(purpose: string, brandId: number, playerId: number, info: RequestInfo): Promise<void> {
    const verdict = await this.redisOp(() =>
      this.limiter.hit([
        {
          key: `rl:player:${purpose}:player:${brandId}:${playerId}`,
          limit: this.config.RECOVERY_RATE_LIMIT_PER_CONTACT,
          windowSeconds: this.config.RECOVERY_RATE_LIMIT_WINDOW_SECONDS,
        },
      ]),
    );
    if (!verdict.allowed) {
      this.logger.warn({ msg: 'otp send rate limited', purpose, brand_id: brandId, player_id: playerId, request_id: info.requestId });
      throw new RateLimitedError();
    }
  }

  private redisOp<T>(fn: () => Promise<T>): Promise<T> {
    return redisOrUnavailable('otp store', fn);
  }
}

