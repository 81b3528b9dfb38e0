/**
 * Transactional outbox (CONTRACTS §6: rows commit with the state change they
 * describe; publishing is at-least-once, event_id is the dedup key) and the
 * two append-only audit tables of ADR-009: recovery_audit (seeds 000/001:
 * hashes only, never the contact, token or password) and admin_audit (seed
 * 004 money-write audit, seed 001 agent edit flows). The database itself
 * refuses UPDATE, DELETE and TRUNCATE on the audit tables. brand_id 0 on an
 * audit row means "no brand resolved", so the audit tables carry no FK.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxAndAudit1764000003000 implements MigrationInterface {
  name = 'OutboxAndAudit1764000003000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['player_outbox', 'agent_outbox']) {
      await q.query(`
        CREATE TABLE ${table} (
          id bigserial PRIMARY KEY,
          event_id uuid NOT NULL,
          brand_id integer NOT NULL,
          event_type text NOT NULL,
          aggregate_type text NOT NULL,
          aggregate_id text NOT NULL,
          envelope jsonb NOT NULL,
          status text NOT NULL DEFAULT 'pending',
          attempts integer NOT NULL DEFAULT 0,
          next_attempt_at timestamptz NOT NULL DEFAULT now(),
          locked_until timestamptz NULL,
          locked_by text NULL,
          last_error text NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz NULL,
          CONSTRAINT ${table}_event_id_key UNIQUE (event_id),
          CONSTRAINT ${table}_status_check CHECK (status IN ('pending', 'published', 'dead'))
        )`);
      await q.query(`CREATE INDEX ${table}_brand_idx ON ${table} (brand_id, created_at)`);
      await q.query(
        `CREATE INDEX ${table}_pending_idx ON ${table} (next_attempt_at, id) WHERE status = 'pending'`,
      );
      // /health and the poller count dead letters every loop; keep that off the published history.
      await q.query(`CREATE INDEX ${table}_dead_idx ON ${table} (id) WHERE status = 'dead'`);
    }

    await q.query(`
      CREATE TABLE recovery_audit (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL,
        subject_type text NOT NULL,
        subject_id text NULL,
        action text NOT NULL,
        outcome text NOT NULL,
        contact_hash text NULL,
        ip_hash text NULL,
        request_id text NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recovery_audit_subject_type_check CHECK (subject_type IN ('player', 'agent')),
        CONSTRAINT recovery_audit_brand_check CHECK (brand_id >= 0)
      )`);
    await q.query(`CREATE INDEX recovery_audit_brand_idx ON recovery_audit (brand_id, created_at)`);
    await q.query(
      `CREATE INDEX recovery_audit_brand_contact_idx ON recovery_audit (brand_id, contact_hash, created_at)`,
    );

    await q.query(`
      CREATE TABLE admin_audit (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL,
        operator_id text NOT NULL,
        action text NOT NULL,
        resource text NOT NULL,
        resource_id text NULL,
        before jsonb NULL,
        after jsonb NULL,
        reason text NULL,
        request_id text NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admin_audit_brand_check CHECK (brand_id >= 0)
      )`);
    await q.query(`CREATE INDEX admin_audit_brand_idx ON admin_audit (brand_id, created_at)`);
    await q.query(
      `CREATE INDEX admin_audit_brand_resource_idx ON admin_audit (brand_id, resource, resource_id)`,
    );

    for (const table of ['recovery_audit', 'admin_audit']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only
          BEFORE UPDATE OR DELETE ON ${table}
          FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate
          BEFORE TRUNCATE ON ${table}
          FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['admin_audit', 'recovery_audit', 'agent_outbox', 'player_outbox']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
