import { type DynamicModule, Module } from '@nestjs/common';
import { type DatabaseConfig, SERVICE_LABEL } from '@app/config';
import { DatabaseModule } from '@app/database';
import { CoreModule } from '@app/platform';
import type { OutboxStream, OutboxTable } from './event';
import {
  OutboxWorkerModule,
  type OutboxWorkerSettings,
  outboxSettingsFromConfig,
} from './outbox-worker.module';

/**
 * The whole module of an outbox worker process (player_worker, agent_worker:
 * seeds 000/001 "Background Work"): platform core without an HTTP health
 * controller (the worker serves /health on its own port), the database (with
 * its `db` check) and the poller publishing one outbox table to one stream.
 * It lives here rather than in @app/platform so that apps without a database
 * (the gateway) do not load TypeORM and pg through the platform barrel.
 * `settings` overrides what the environment does not carry (the liveness
 * window, backoff), for tests and tools.
 */
@Module({})
export class OutboxWorkerAppModule {
  static forRoot(
    service: 'player-worker' | 'agent-worker',
    config: DatabaseConfig,
    target: { table: OutboxTable; stream: OutboxStream },
    settings: Partial<OutboxWorkerSettings> = {},
  ): DynamicModule {
    return {
      module: OutboxWorkerAppModule,
      imports: [
        CoreModule.forRoot(service, config, { healthController: false }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          applicationName: SERVICE_LABEL[service],
        }),
        OutboxWorkerModule.forRoot({ ...target, ...outboxSettingsFromConfig(config), ...settings }),
      ],
    };
  }
}
