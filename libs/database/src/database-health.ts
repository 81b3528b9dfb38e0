/**
 * The `db` check of every process with a database (CONTRACTS §8): a ping on
 * the pool. Registered by DatabaseModule itself so apps do not repeat it; a
 * process without the health registry (a CLI) simply skips it.
 */
import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { HealthRegistry } from '@app/health';
import { Database } from './database.service';

@Injectable()
export class DatabaseHealthCheck implements OnModuleInit {
  constructor(
    private readonly db: Database,
    @Optional() private readonly registry?: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry?.register('db', async () => {
      await this.db.ping();
      return { ok: true };
    });
  }
}
