/**
 * admin_audit writer (seed 004 "Operator identity" / "Money-write audit
 * guarantees", seed 001 agent edit flows): one append-only row per audited
 * admin or agent action, written in the caller's transaction so that, for a
 * local state change, the change and its audit row commit together. operator_id
 * is the JWT-bound operator (or `agent:<guid>` for agent self-service edits).
 */
import type { EntityManager } from 'typeorm';
import { withRowBrand } from '@app/database';
import { assertInTransaction } from '@app/outbox';
import { assertAuditBrandId, requireText } from './validate';
import { assertNoSensitiveKeys } from './sensitive';

export interface AdminAuditRow {
  /** 0 for global (brand-less) actions such as brand-catalog writes. */
  brandId: number;
  operatorId: string | number;
  action: string;
  /** The kind of thing acted on: `player`, `agent`, `brand`, `brand_config`, ... */
  resource: string;
  resourceId?: string | number | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
  payload?: Record<string, unknown>;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** Validates a row without writing it, so a route can fail before it acts. */
export function validateAdminAuditRow(row: AdminAuditRow): void {
  assertAuditBrandId(row.brandId);
  requireText('operator_id', String(row.operatorId ?? ''));
  requireText('action', row.action);
  requireText('resource', row.resource);
  assertNoSensitiveKeys(row.before, '$before');
  assertNoSensitiveKeys(row.after, '$after');
  assertNoSensitiveKeys(row.payload ?? {}, '$payload');
}

export class AdminAuditWriter {
  /** Inserts the row in the caller's transaction and returns its id. */
  async write(manager: EntityManager, row: AdminAuditRow): Promise<string> {
    assertInTransaction(manager, 'AdminAuditWriter.write');
    validateAdminAuditRow(row);
    // Row-level security: the audit row carries its own brand (0 = none resolved).
    const rows: Array<{ id: string }> = await withRowBrand(manager, row.brandId, (m) =>
      m.query(
        `INSERT INTO admin_audit
         (brand_id, operator_id, action, resource, resource_id, before, after, reason, request_id, payload)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::jsonb)
       RETURNING id`,
        [
          row.brandId,
          String(row.operatorId),
          row.action,
          row.resource,
          row.resourceId === undefined || row.resourceId === null ? null : String(row.resourceId),
          jsonOrNull(row.before),
          jsonOrNull(row.after),
          row.reason ?? null,
          row.requestId ?? null,
          JSON.stringify(row.payload ?? {}),
        ],
      ),
    );
    return String(rows[0].id);
  }
}
