/** Wires the shared recovery flow (@app/recovery) for `subject_type='agent'` (seed 001). */
import { type BeforeApplicationShutdown, Injectable, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { RecoveryAuditWriter } from '@app/audit';
import { PasswordHasher } from '@app/auth';
import { BrandEnforcement } from '@app/brand-context';
import { APP_CONFIG, type AgentConfig } from '@app/config';
import type { BrandTx } from '@app/database';
import { CodeDelivery, RecoveryService } from '@app/recovery';
import { REDIS } from '@app/redis';
import { AGENT_TOKENS } from '../edge/agent-jwt.middleware';
import type { AgentTokens } from '../edge/agent-tokens';
import { AGENT_SERVICE } from '../shared/agent-shared.module';
import { AGENT_RECOVERY, AgentRecovery, AgentRecoveryPorts } from './agent-recovery';

@Injectable()
class RecoveryDrain implements BeforeApplicationShutdown {
  constructor(private readonly recovery: AgentRecovery) {}

  /** Lets code deliveries in flight finish before Redis and the pool close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.recovery.drain();
  }
}

@Module({
  providers: [
    AgentRecoveryPorts,
    {
      provide: AGENT_RECOVERY,
      inject: [
        APP_CONFIG,
        AgentRecoveryPorts,
        REDIS,
        AGENT_TOKENS,
        PasswordHasher,
        CodeDelivery,
        BrandEnforcement,
      ],
      useFactory: (
        config: AgentConfig,
        ports: AgentRecoveryPorts,
        redis: Redis,
        tokens: AgentTokens,
        hasher: PasswordHasher,
        delivery: CodeDelivery,
        enforcement: BrandEnforcement,
      ): RecoveryService<BrandTx> =>
        new RecoveryService<BrandTx>(
          {
            subjectType: 'agent',
            service: AGENT_SERVICE,
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
            issuer: tokens.jwtIssuer,
            verifier: tokens.jwtVerifier,
            hasher,
            delivery,
            audit: new RecoveryAuditWriter(),
            enforcement,
          },
        ),
    },
    AgentRecovery,
    RecoveryDrain,
  ],
  exports: [AgentRecovery],
})
export class AgentRecoveryModule {}
