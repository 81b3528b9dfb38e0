/**
 * admin_audit from admin routes (seed 004 "Operator identity", "Money-write
 * audit guarantees"; ADR-009 "per-brand configuration writes are audited").
 * Local control-plane writes (brand catalog, agent_brand, domains, provider
 * policy) insert their row in the same transaction as the change, so one
 * cannot commit without the other. Money routes write after the wallet (or
 * the legacy direct write) succeeded, through writeMoneyAudit: a failure
 * there is logged at ERROR and counted, and the route still answers.
 */
import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AdminAuditWriter, type AdminAuditRow, type MoneyAuditInput, writeMoneyAudit } from '@app/audit';
import { Database } from '@app/database';
import { Metrics } from '@app/observability';
import { requestId } from './request-context';

@Injectable()
export class AdminAuditService {
  private readonly logger = new Logger('AdminAudit');
  private readonly writer = new AdminAuditWriter();

  constructor(private readonly db: Database) {}

  /** In the caller's transaction; the request id is filled in. */
  write(manager: EntityManager, row: Omit<AdminAuditRow, 'requestId'>): Promise<string> {
    return this.writer.write(manager, { ...row, requestId: requestId() });
  }

  /** After a money write: never throws; false when the row could not be written. */
  money(input: Omit<MoneyAuditInput, 'requestId'>, route: string): Promise<boolean> {
    return writeMoneyAudit(
      this.db.dataSource,
      { ...input, requestId: requestId() },
      { route, logger: this.logger, writer: this.writer },
    );
  }

  /**
   * After a downstream write that cannot be rolled back (wallet config
   * forwarding): same guarantee as `money`, for rows that are not player or
   * agent money deltas.
   */
  async afterDownstream(row: Omit<AdminAuditRow, 'requestId'>, route: string): Promise<boolean> {
    try {
      await this.db.transaction((manager) => this.write(manager, row));
      return true;
    } catch (err) {
      Metrics.adminAuditWriteFailed().inc({ route });
      this.logger.error({
        msg: 'admin audit write failed after downstream write; reconcile manually',
        route,
        action: row.action,
        brand_id: row.brandId,
        operator_id: String(row.operatorId),
        request_id: requestId(),
        error: err instanceof Error ? err.message : String(err),
      });
      return false;
    }
  }
}
