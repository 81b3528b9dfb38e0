/**
 * What every agent_service feature shares, built once from the validated
 * config (STYLE: no process.env outside the config lib): the agent token
 * issuer/verifier, token revocation, the agent_brand allow list, password
 * hashing, the PII cipher (seed 001: phone_num / bank_num / card_number are
 * AES-GCM), the SMS code delivery and OTP store, the agent repository,
 * per-brand settings and the agent outbox writer. The database pool's health
 * is registered here too (CONTRACTS §8 `checks.db`).
 */
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { PasswordHasher, AgentSessions } from '@app/auth';
import { type AgentConfig, IS_PRODUCTION, SERVICE_LABEL } from '@app/config';
import { PiiCipher } from '@app/crypto';
import { Database } from '@app/database';
import { HealthRegistry } from '@app/health';
import { CodeDelivery, FixedWindowRateLimiter, OtpStore } from '@app/recovery';
import { REDIS } from '@app/redis';
import { SmsClient } from '@app/sms';
import { AGENT_BRAND_CACHE_TTL_MS, AgentBrandAllowList } from '../edge/agent-brand-allow-list';
import { AGENT_TOKENS } from '../edge/agent-jwt.middleware';
import { AgentTokens } from '../edge/agent-tokens';
import { AgentEvents } from './agent-events';
import { AgentsRepository } from './agents.repository';
import { BrandSettings } from './brand-settings';

export const AGENT_SERVICE = SERVICE_LABEL.agent;

/** The OTP store of the audited phone/bank edits. */
export const EDIT_OTP_STORE = Symbol('EDIT_OTP_STORE');

@Injectable()
class AgentHealthChecks implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly db: Database,
    @Inject(AGENT_TOKENS) private readonly tokens: AgentTokens,
  ) {}

  onModuleInit(): void {
    this.registry.setInfo('jwt_kid', () => this.tokens.kid);
  }
}

@Global()
@Module({})
export class AgentSharedModule {
  static forRoot(config: AgentConfig): DynamicModule {
    const providers = [
      { provide: AGENT_TOKENS, useFactory: () => new AgentTokens(config, AGENT_SERVICE) },
      { provide: AGENT_BRAND_CACHE_TTL_MS, useValue: config.AGENT_BRAND_CACHE_TTL_SECONDS * 1000 },
      {
        provide: PasswordHasher,
        useFactory: () => new PasswordHasher({ pepper: config.PASSWORD_SALT ?? '' }),
      },
      {
        provide: PiiCipher,
        inject: [IS_PRODUCTION],
        useFactory: (production: boolean) =>
          new PiiCipher({
            aesKey: config.AES_KEY,
            aesIv: config.AES_IV,
            strictDecrypt: config.AES_STRICT_DECRYPT === 'on',
            production,
            service: AGENT_SERVICE,
            logger: new Logger('PiiCipher'),
          }),
      },
      {
        provide: CodeDelivery,
        inject: [SmsClient],
        useFactory: (sms: SmsClient) =>
          new CodeDelivery({
            service: AGENT_SERVICE,
            exposeForTests: config.RECOVERY_EXPOSE_TOKEN_FOR_TESTS === 'on',
            sms,
            logger: new Logger('CodeDelivery'),
          }),
      },
      {
        provide: FixedWindowRateLimiter,
        inject: [REDIS],
        useFactory: (redis: Redis) => new FixedWindowRateLimiter(redis),
      },
      {
        provide: EDIT_OTP_STORE,
        inject: [REDIS],
        useFactory: (redis: Redis) =>
          new OtpStore(redis, {
            pepper: `agent-edit:${config.PASSWORD_SALT ?? ''}`,
            ttlSeconds: config.SMS_CODE_TTL_SECONDS,
            maxAttempts: config.RECOVERY_MAX_ATTEMPTS,
          }),
      },
      AgentSessions,
      AgentBrandAllowList,
      AgentsRepository,
      BrandSettings,
      AgentEvents,
      AgentHealthChecks,
    ];
    return {
      module: AgentSharedModule,
      providers,
      exports: providers.filter((p) => p !== AgentHealthChecks).map((p) => ('provide' in p ? p.provide : p)),
    };
  }
}
