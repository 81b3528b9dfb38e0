/**
 * The transactions admin_worker jobs run in (seed 004 Health: "admin_worker
 * health depends on ... job-health readiness"). Without limits a job
 * blocked on another session's lock never returned: the JobRunner skipped
 * every later tick as "already running" and /health stayed green. Every job
 * transaction therefore sets `statement_timeout` and `lock_timeout` with SET
 * LOCAL (ADMIN_WORKER_STATEMENT_TIMEOUT_MS / ADMIN_WORKER_LOCK_TIMEOUT_MS),
 * so a stuck statement fails its brand, the run is recorded as failed, and
 * the next tick tries again. The limits live here rather than in
 * Database.brandTransaction: the APIs keep their own behaviour.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type BrandId, type BrandTx, Database } from '@app/database';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

@Injectable()
export class JobTransactions {
  constructor(
    private readonly db: Database,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  /** Database.brandTransaction with the job limits. */
  brand<R>(brandId: BrandId, fn: (tx: BrandTx) => Promise<R>): Promise<R> {
    return this.db.brandTransaction(brandId, async (tx) => {
      await this.limit(tx.manager);
      return fn(tx);
    });
  }

  /** A global transaction with the job limits (cross-brand projections). */
  global<R>(fn: (manager: EntityManager) => Promise<R>): Promise<R> {
    return this.db.transaction(async (manager) => {
      await this.limit(manager);
      return fn(manager);
    });
  }

  private async limit(manager: EntityManager): Promise<void> {
    // SET takes no bind parameters; both values are integers checked at boot (worker-options.ts).
    await manager.query(`SET LOCAL statement_timeout = ${Math.trunc(this.options.statementTimeoutMs)}`);
    await manager.query(`SET LOCAL lock_timeout = ${Math.trunc(this.options.lockTimeoutMs)}`);
  }
}
