/**
 * `/internal/meta/*` hooks (seed 004 "internal websocket sync hooks"). The
 * module owns the per-caller internal token verifier its guard uses, built
 * from the validated config (ADR-009 per-caller tokens; the legacy shared
 * token only while PER_CALLER_TOKEN_REQUIRED is off).
 */
import { Module } from '@nestjs/common';
import { INTERNAL_TOKEN_VERIFIER, InternalTokenGuard, InternalTokenVerifier } from '@app/auth';
import { type AdminConfig, APP_CONFIG, SERVICE_NAME } from '@app/config';
import { AdminWsModule } from '../ws/admin-ws.module';
import { MetaController } from './meta.controller';

export function internalTokenVerifierFor(config: AdminConfig, service: string): InternalTokenVerifier {
  return new InternalTokenVerifier({
    tokens: {
      gateway: config.INTERNAL_SERVICE_TOKEN_GATEWAY,
      agent: config.INTERNAL_SERVICE_TOKEN_AGENT,
      admin: config.INTERNAL_SERVICE_TOKEN_ADMIN,
      recon: config.INTERNAL_SERVICE_TOKEN_RECON,
      game: config.INTERNAL_SERVICE_TOKEN_GAME,
      promotion: config.INTERNAL_SERVICE_TOKEN_PROMOTION,
      rolling: config.INTERNAL_SERVICE_TOKEN_ROLLING,
    },
    legacyToken: config.INTERNAL_SERVICE_TOKEN,
    perCallerRequired: config.PER_CALLER_TOKEN_REQUIRED === 'on',
    service,
  });
}

@Module({
  imports: [AdminWsModule],
  controllers: [MetaController],
  providers: [
    {
      provide: INTERNAL_TOKEN_VERIFIER,
      inject: [APP_CONFIG, SERVICE_NAME],
      useFactory: internalTokenVerifierFor,
    },
    InternalTokenGuard,
  ],
})
export class AdminMetaModule {}
