/**
 * recovery_audit writer (seed 000/001 "recovery flows write recovery_audit",
 * ADR-009 audit guarantees): one append-only row per observable recovery
 * outcome, inserted through the caller's transaction so an audit failure rolls
 * back the side effect it describes (e.g. the password UPDATE on /reset).
 * Contacts and IPs are stored only as full SHA-256 hex; the metadata blob
 * never names a contact, token, code or password.
 */
import type { EntityManager } from 'typeorm';
import { withRowBrand } from '@app/database';
import { assertInTransaction } from '@app/outbox';
import { assertAuditBrandId, requireText } from './validate';
import { assertNoSensitiveKeys } from './sensitive';

export type AuditSubjectType = 'player' | 'agent';

export interface RecoveryAuditRow {
  /** 0 only when no brand could be resolved (the missing-brand-context branch). */
  brandId: number;
  subjectType: AuditSubjectType;
  subjectId?: string | number | null;
  /** REQUEST / VERIFY / RESET (or a typed rejection such as RATE_LIMITED). */
  action: string;
  outcome: string;
  /** Full SHA-256 hex of the normalized contact: `contactHash()` from @app/crypto. */
  contactHash?: string | null;
  /** `ipHash()` from @app/crypto. */
  ipHash?: string | null;
  requestId?: string | null;
  metadata?: Record<string, unknown>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function optionalHash(name: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (!SHA256_HEX.test(value)) throw new Error(`audit ${name} must be a full lowercase SHA-256 hex digest`);
  return value;
}

export class RecoveryAuditWriter {
  /** Inserts the row in the caller's transaction and returns its id. */
  async write(manager: EntityManager, row: RecoveryAuditRow): Promise<string> {
    assertInTransaction(manager, 'RecoveryAuditWriter.write');
    assertAuditBrandId(row.brandId);
    if (row.subjectType !== 'player' && row.subjectType !== 'agent')
      throw new Error('audit subject_type must be player or agent');
    const metadata = row.metadata ?? {};
    assertNoSensitiveKeys(metadata);
    // Row-level security: the audit row carries its own brand (0 = none resolved).
    const rows: Array<{ id: string }> = await withRowBrand(manager, row.brandId, (m) =>
      m.query(
        `INSERT INTO recovery_audit
         (brand_id, subject_type, subject_id, action, outcome, contact_hash, ip_hash, request_id, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
       RETURNING id`,
        [
          row.brandId,
          row.subjectType,
          row.subjectId === undefined || row.subjectId === null ? null : String(row.subjectId),
          requireText('action', row.action),
          requireText('outcome', row.outcome),
          optionalHash('contact_hash', row.contactHash),
          optionalHash('ip_hash', row.ipHash),
          row.requestId ?? null,
          JSON.stringify(metadata),
        ],
      ),
    );
    return String(rows[0].id);
  }
}
