/**
 * ADR-009 brand model: the brand catalog (with the `default` brand every
 * pre-existing row belongs to), per-brand configuration and its audit trail
 * (seed 004: "per-brand configuration writes are audited: timestamp, payload,
 * prior value"), the global provider list with its per-brand allow list, and
 * the admin operators that replace the removed staff layer (CONTRACTS §10).
 * The append-only trigger function is created here because brand_config_audit
 * is the first audit table; later migrations reuse it.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BrandCatalog1764000000000 implements MigrationInterface {
  name = 'BrandCatalog1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);

    await q.query(`
      CREATE TABLE brand (
        id serial PRIMARY KEY,
        brand_code text NOT NULL,
        name text NOT NULL,
        default_currency text NOT NULL,
        status text NOT NULL DEFAULT 'enabled',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT brand_brand_code_key UNIQUE (brand_code),
        CONSTRAINT brand_status_check CHECK (status IN ('enabled', 'disabled')),
        CONSTRAINT brand_code_not_blank CHECK (length(btrim(brand_code)) > 0),
        CONSTRAINT brand_currency_not_blank CHECK (length(btrim(default_currency)) > 0)
      )`);
    // brand_code prefix-disjointness is checked with an index scan (ADR-009).
    await q.query(`CREATE INDEX brand_code_prefix_idx ON brand (brand_code text_pattern_ops)`);
    await q.query(
      `INSERT INTO brand (brand_code, name, default_currency) VALUES ('default', 'Default', 'KRW')`,
    );

    await q.query(`
      CREATE TABLE brand_config (
        brand_id integer NOT NULL REFERENCES brand (id),
        key text NOT NULL,
        value jsonb NOT NULL,
        updated_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT brand_config_pkey PRIMARY KEY (brand_id, key)
      )`);

    await q.query(`
      CREATE TABLE brand_config_audit (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        key text NOT NULL,
        prior_value jsonb NULL,
        new_value jsonb NULL,
        operator_id text NOT NULL,
        request_id text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX brand_config_audit_brand_idx ON brand_config_audit (brand_id, key, created_at)`,
    );
    await q.query(`
      CREATE TRIGGER brand_config_audit_append_only
        BEFORE UPDATE OR DELETE ON brand_config_audit
        FOR EACH ROW EXECUTE FUNCTION audit_append_only()`);
    await q.query(`
      CREATE TRIGGER brand_config_audit_no_truncate
        BEFORE TRUNCATE ON brand_config_audit
        FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);

    await q.query(`
      CREATE TABLE provider (
        id serial PRIMARY KEY,
        code text NOT NULL,
        name text NOT NULL,
        is_show boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT provider_code_key UNIQUE (code)
      )`);

    await q.query(`
      CREATE TABLE brand_provider_config (
        brand_id integer NOT NULL REFERENCES brand (id),
        provider_id integer NOT NULL REFERENCES provider (id),
        enabled boolean NOT NULL DEFAULT true,
        updated_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT brand_provider_config_pkey PRIMARY KEY (brand_id, provider_id)
      )`);

    await q.query(`
      CREATE TABLE admin_operator (
        id serial PRIMARY KEY,
        account text NOT NULL,
        password_hash text NOT NULL,
        status text NOT NULL DEFAULT 'enabled',
        last_login_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT admin_operator_account_key UNIQUE (account),
        CONSTRAINT admin_operator_status_check CHECK (status IN ('enabled', 'disabled'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_operator`);
    await q.query(`DROP TABLE brand_provider_config`);
    await q.query(`DROP TABLE provider`);
    await q.query(`DROP TABLE brand_config_audit`);
    await q.query(`DROP TABLE brand_config`);
    await q.query(`DROP TABLE brand`);
    await q.query(`DROP FUNCTION audit_append_only()`);
  }
}
