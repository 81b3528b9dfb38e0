/**
 * agent_worker (seed 001 "Background Work": agent_worker publishes agent
 * outbox rows to Redis Streams, with heartbeat-backed supervision): the
 * dedicated process that publishes `agent_outbox` rows to the `events:agent`
 * stream (CONTRACTS §4, §6) through the shared OutboxWorkerModule, writes
 * WORKER_HEARTBEAT_FILE after every loop, and answers `/health` with `db`,
 * `redis` and `outbox` (loop alive) on its health port (3012).
 */
import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { type AgentWorkerConfig, SERVICE_LABEL } from '@app/config';
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
export class AgentWorkerModule {
  static forRoot(config: AgentWorkerConfig): DynamicModule {
    return {
      module: AgentWorkerModule,
      imports: [
        CoreModule.forRoot('agent-worker', config, { healthController: false }),
        DatabaseModule.forRoot({
          url: config.DATABASE_URL,
          poolSize: config.DB_POOL_SIZE,
          applicationName: SERVICE_LABEL['agent-worker'],
        }),
        OutboxWorkerModule.forRoot({
          table: 'agent_outbox',
          stream: 'events:agent',
          ...outboxSettingsFromConfig(config),
        }),
      ],
      providers: [DatabaseHealth],
    };
  }
}
