/**
 * player_service (seed 000): player auth, registration helpers, profile,
 * messages, common content and recovery, all on the internal surface behind
 * the gateway. The outbox loop runs in player-worker; this API only runs it
 * when ENABLE_OUTBOX_POLLER is on (the seed's deployments keep it off here).
 * Middleware pipeline, declared once: the request context (request id,
 * brand slot) first; guards then authenticate the caller and set the brand.
 */
import { type DynamicModule, Logger, type MiddlewareConsumer, Module, type NestModule, type Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { ClsMiddleware } from 'nestjs-cls';
import { ClsRequestContextModule } from '@app/request-context';
import { APP_CONFIG, type PlayerConfig, SERVICE_NAME } from '@app/config';
import { BrandEnforcement } from '@app/brand-context';
import { JwtIssuer, type JwtVerifier, PasswordHasher } from '@app/auth';
import { RecoveryAuditWriter } from '@app/audit';
import { DatabaseModule } from '@app/database';
import { MiddlewarePipeline } from '@app/middleware-order';
import { OutboxWorkerModule, outboxSettingsFromConfig } from '@app/outbox';
import { CoreModule } from '@app/platform';
import { CodeDelivery, RecoveryService } from '@app/recovery';
import { REDIS } from '@app/redis';
import { SmsModule } from '@app/sms';
import { AuthController } from './auth/auth.controller';
import { AuthService } from './auth/auth.service';
import { CaptchaService } from './content/captcha.service';
import { ContentController, PlayerCaptchaController } from './content/content.controller';
import { ContentService } from './content/content.service';
import { PlayerHealth } from './health/player-health';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { ProfileController } from './profile/profile.controller';
import { ProfileService } from './profile/profile.service';
import { PLAYER_RECOVERY, PlayerRecoveryPorts, RecoveryDrain } from './recovery/player-recovery.ports';
import { RecoveryController } from './recovery/recovery.controller';
import { BrandPolicyService } from './shared/brand-policy.service';
import { OTP_PROVIDERS } from './shared/otp.providers';
import { PlayerAccessService } from './shared/player-access.service';
import { PlayerEvents } from './shared/player-events';
import { PlayerIdentityGuard } from './shared/request-info';
import { RECOVERY_TOKEN_VERIFIER, SECURITY_PROVIDERS } from './shared/security.providers';
import { SessionStore } from './shared/session.store';
import { PROBE_PATHS } from '@app/health';

export const PLAYER_PIPELINE = new MiddlewarePipeline([{ name: 'request-context', middleware: ClsMiddleware }]);

const recoveryProvider: Provider = {
  provide: PLAYER_RECOVERY,
  inject: [APP_CONFIG, SERVICE_NAME, PlayerRecoveryPorts, REDIS, JwtIssuer, RECOVERY_TOKEN_VERIFIER, PasswordHasher, CodeDelivery, BrandEnforcement],
  useFactory: (
    config: PlayerConfig,
    service: string,
    ports: PlayerRecoveryPorts,
    redis: Redis,
    issuer: JwtIssuer,
    verifier: JwtVerifier,
    hasher: PasswordHasher,
    delivery: CodeDelivery,
    enforcement: BrandEnforcement,
  ) =>
    new RecoveryService(
      {
        subjectType: 'player',
        service,
        ttlSeconds: config.RECOVERY_TOKEN_TTL_MINUTES * 60,
        maxAttempts: config.RECOVERY_MAX_ATTEMPTS,
        rateLimitPerContact: config.RECOVERY_RATE_LIMIT_PER_CONTACT,
        rateLimitPerIp: config.RECOVERY_RATE_LIMIT_PER_IP,
        rateLimitWindowSeconds: config.RECOVERY_RATE_LIMIT_WINDOW_SECONDS,
        pepper: config.PASSWORD_SALT ?? '',
      },
      ports,
      {
        redis,
        issuer,
        verifier,
        hasher,
        delivery,
        audit: new RecoveryAuditWriter(),
        enforcement,
        logger: new Logger('PlayerRecovery'),
      },
    ),
};

@Module({})
export class PlayerModule implements NestModule {
  static forRoot(config: PlayerConfig): DynamicModule {
    const imports: DynamicModule['imports'] = [
      CoreModule.forRoot('player', config, { requestContext: ClsRequestContextModule.forRoot() }),
      DatabaseModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, applicationName: 'player_service' }),
      SmsModule.forRoot(config),
    ];
    if (config.ENABLE_OUTBOX_POLLER === 'on') {
      imports.push(OutboxWorkerModule.forRoot({ table: 'player_outbox', stream: 'events:player', ...outboxSettingsFromConfig(config) }));
    }
    return {
      module: PlayerModule,
      imports,
      controllers: [
        AuthController,
        ProfileController,
        MessagesController,
        ContentController,
        PlayerCaptchaController,
        RecoveryController,
      ],
      providers: [
        ...SECURITY_PROVIDERS,
        ...OTP_PROVIDERS,
        PlayerIdentityGuard,
        BrandPolicyService,
        SessionStore,
        PlayerEvents,
        PlayerAccessService,
        CaptchaService,
        AuthService,
        ProfileService,
        MessagesService,
        ContentService,
        PlayerRecoveryPorts,
        recoveryProvider,
        RecoveryDrain,
        PlayerHealth,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    PLAYER_PIPELINE.apply(consumer, PROBE_PATHS);
  }
}
