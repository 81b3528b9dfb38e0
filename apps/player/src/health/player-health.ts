/**
 * player API `/health` checks (seed 000 "API /health checks DB, Redis, outbox
 * loop status"; CONTRACTS §8): `db` (SELECT 1), `redis` (registered by the
 * platform), and `outbox` as backlog age, since the API does not run the
 * loop itself: the check fails when the oldest unpublished player_outbox row
 * (after the relay cursor) is older than OUTBOX_STALE_SECONDS, i.e. the
 * worker has stopped draining, or waits behind a long-open transaction.
 * Also publishes the active `jwt_kid`.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JwtIssuer } from '@app/auth';
import { Database } from '@app/database';
import { HealthRegistry } from '@app/health';
import { backlogStatus } from '@app/outbox';

export const OUTBOX_STALE_SECONDS = 600;

@Injectable()
export class PlayerHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly db: Database,
    private readonly issuer: JwtIssuer,
  ) {}

  onModuleInit(): void {
    this.registry.setInfo('jwt_kid', () => this.issuer.kid);
    this.registry.register('outbox', async () => {
      const backlog = await backlogStatus(this.db.dataSource, 'player_outbox');
      return {
        ok: backlog.oldestPendingAgeSeconds <= OUTBOX_STALE_SECONDS,
        details: {
          pending: backlog.pending,
          oldest_pending_age_seconds: Math.round(backlog.oldestPendingAgeSeconds),
          dead: backlog.dead,
          waiting_on_open_transactions: backlog.waitingOnOpenTransactions,
          stale_after_seconds: OUTBOX_STALE_SECONDS,
        },
      };
    });
  }
}
