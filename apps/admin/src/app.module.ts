/**
 * admin_service (seed 004): the back-office HTTP edge under /api/v1, behind
 * the admin JWT. The middleware pipeline is declared here, in order:
 * request id / CLS context first, then BrandResolutionMiddleware, so the
 * brand context is set before any guard or handler reads it.
 * `extraImports` lets the WebSocket, /internal/meta and storage modules join
 * without this module knowing them.
 */
import { AgentSessions } from '@app/auth';
import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { ClsMiddleware } from 'nestjs-cls';
import { ClsRequestContextModule } from '@app/request-context';
import { type AdminConfig, APP_CONFIG, IS_PRODUCTION, SERVICE_NAME } from '@app/config';
import { DatabaseModule } from '@app/database';
import { MiddlewarePipeline } from '@app/middleware-order';
import { CoreModule } from '@app/platform';
import { AdminAuthModule } from './auth/admin-auth.module';
import { AdminAuditService } from './common/admin-audit.service';
import { BrandResolutionMiddleware } from './common/brand-resolution.middleware';
import { AdminEvents } from './common/events';
import { WalletClient } from './common/wallet.client';
import { buildPiiCipher, PII_CIPHER } from './common/pii';
import { AgentsController } from './agents/agents.controller';
import { AgentsService } from './agents/agents.service';
import { DomainsService } from './domains/domains.service';
import { LogsController } from './logs/logs.controller';
import { MoneyController } from './money/money.controller';
import { MoneyService } from './money/money.service';
import { WalletConfigController } from './money/wallet-config.controller';
import { ContentController } from './operations/content.controller';
import { PlayersController } from './operations/players.controller';
import { BrandsController } from './brands/brands.controller';
import { BrandsService } from './brands/brands.service';
import { BrandConfigController } from './brand-config/brand-config.controller';
import { BrandConfigService } from './brand-config/brand-config.service';
import { ProvidersController } from './providers/providers.controller';
import { ProvidersService } from './providers/providers.service';

export const ADMIN_PIPELINE = new MiddlewarePipeline([
  { name: 'request-id', middleware: ClsMiddleware },
  { name: 'brand-resolution', middleware: BrandResolutionMiddleware },
]);
ADMIN_PIPELINE.assertBefore('request-id', 'brand-resolution');

/** Shared admin services, exported for the modules added through `extraImports`. */
@Module({})
export class AdminCoreModule {
  static forRoot(): DynamicModule {
    const pii = {
      provide: PII_CIPHER,
      inject: [APP_CONFIG, IS_PRODUCTION, SERVICE_NAME],
      useFactory: buildPiiCipher,
    };
    const providers = [AdminAuditService, AdminEvents, WalletClient, pii];
    return {
      module: AdminCoreModule,
      global: true,
      providers,
      exports: [AdminAuditService, AdminEvents, WalletClient, PII_CIPHER],
    };
  }
}

@Module({})
export class AdminModule implements NestModule {
  static forRoot(
    config: AdminConfig,
    extraImports: NonNullable<DynamicModule['imports']> = [],
  ): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        CoreModule.forRoot('admin', config, { requestContext: ClsRequestContextModule.forRoot() }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          applicationName: 'admin_service',
        }),
        AdminCoreModule.forRoot(),
        AdminAuthModule.forRoot(config),
        ...extraImports,
      ],
      controllers: [
        BrandsController,
        BrandConfigController,
        ProvidersController,
        AgentsController,
        PlayersController,
        ContentController,
        LogsController,
        MoneyController,
        WalletConfigController,
      ],
      providers: [
        BrandsService,
        BrandConfigService,
        ProvidersService,
        AgentsService,
        DomainsService,
        MoneyService,
        AgentSessions,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    ADMIN_PIPELINE.apply(consumer, ['/metrics']);
  }
}
