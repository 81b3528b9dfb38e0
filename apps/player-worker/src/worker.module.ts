/**
 * player_worker (seed 000 "Background Work"): the dedicated process that
 * publishes `player_outbox` rows to the `events:player` stream (CONTRACTS §4,
 * §6), writes WORKER_HEARTBEAT_FILE after every loop, and answers `/health`
 * with `db`, `redis` and `outbox` (loop alive) on its health port.
 */
import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type { PlayerWorkerConfig } from '@app/config';
import { Database, DatabaseModule } from '@app/database';
import { HealthRegistry } from '@app/health';
import { OutboxWorkerModule, outboxSettingsFromConfig } from '@app/outbox';
import { CoreModule } from '@app/platform';

@Injectable()
class DatabaseHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly db: Database,
  ) {}

  onModuleInit(): void {
    this.registry.register('db', async () => {
      await this.db.ping();
      return { ok: true };
    });
  }
}

@Module({})
export class PlayerWorkerModule {
  static forRoot(config: PlayerWorkerConfig): DynamicModule {
    return {
      module: PlayerWorkerModule,
      imports: [
        CoreModule.forRoot('player-worker', config, { healthController: false }),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE, applicationName: 'player_worker' }),
        OutboxWorkerModule.forRoot({ table: 'player_outbox', stream: 'events:player', ...outboxSettingsFromConfig(config) }),
      ],
      providers: [DatabaseHealth],
    };
  }
}
