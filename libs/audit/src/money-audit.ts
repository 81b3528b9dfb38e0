/**
 * Money-write audit for admin routes (seed 004 "Money-write audit guarantees
 * (P1-4)"): the row is written after wallet_service (or the legacy direct
 * write) succeeded, carries the JWT-bound operator id, the affected row's
 * brand, and before/after deltas limited to status, amount and transaction_id
 * (never full rows). If the insert fails after the money moved, the route still
 * answers with the wallet result: the failure is logged at ERROR and counted in
 * admin_audit_write_failed_total{route} for manual reconciliation.
 */
import type { DataSource } from 'typeorm';
import { Metrics } from '@app/observability';
import { AdminAuditWriter, validateAdminAuditRow, type AdminAuditRow } from './admin-audit.writer';

export const MONEY_DELTA_KEYS = ['status', 'amount', 'transaction_id'] as const;
export type MoneyDelta = Partial<Record<(typeof MONEY_DELTA_KEYS)[number], string | number | null>>;

export interface MoneyAuditInput {
  brandId: number;
  operatorId: string | number;
  /** ADJUST_BALANCE, APPROVE_DEPOSIT, DECLINE_WITHDRAW, ADJUST_AGENT_BALANCE, ... */
  action: string;
  targetType: 'player' | 'agent';
  targetId: string | number;
  /** Any object; only status, amount and transaction_id are kept. */
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  reason?: string | null;
  requestId?: string | null;
  payload?: Record<string, unknown>;
}

export interface MoneyAuditLogger {
  error(message: any, ...rest: any[]): any;
}

/** Keeps only the money delta fields; null when none is present. */
export function moneyDelta(source: Record<string, unknown> | null | undefined): MoneyDelta | null {
  if (!source) return null;
  const delta: MoneyDelta = {};
  for (const key of MONEY_DELTA_KEYS) {
    const value = source[key] ?? (key === 'transaction_id' ? source.transactionId : undefined);
    if (value === null || typeof value === 'string' || typeof value === 'number') delta[key] = value;
  }
  return Object.keys(delta).length > 0 ? delta : null;
}

/** The admin_audit row for a money write; throws on an invalid input so routes can check before acting. */
export function moneyAuditRow(input: MoneyAuditInput): AdminAuditRow {
  const row: AdminAuditRow = {
    brandId: input.brandId,
    operatorId: input.operatorId,
    action: input.action,
    resource: input.targetType,
    resourceId: input.targetId,
    before: moneyDelta(input.before),
    after: moneyDelta(input.after),
    reason: input.reason ?? null,
    requestId: input.requestId ?? null,
    payload: input.payload ?? {},
  };
  validateAdminAuditRow(row);
  return row;
}

/**
 * Writes the money audit row in its own short transaction once the money write
 * is done. Never throws: returns false after logging and counting a failure.
 */
export async function writeMoneyAudit(
  dataSource: DataSource,
  input: MoneyAuditInput,
  options: { route: string; logger: MoneyAuditLogger; writer?: AdminAuditWriter },
): Promise<boolean> {
  const writer = options.writer ?? new AdminAuditWriter();
  try {
    const row = moneyAuditRow(input);
    await dataSource.transaction((manager) => writer.write(manager, row));
    return true;
  } catch (err) {
    Metrics.adminAuditWriteFailed().inc({ route: options.route });
    options.logger.error({
      msg: 'admin audit write failed after money write; reconcile manually',
      route: options.route,
      action: input.action,
      brand_id: input.brandId,
      operator_id: String(input.operatorId),
      resource: input.targetType,
      resource_id: String(input.targetId),
      request_id: input.requestId ?? null,
      error: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}
