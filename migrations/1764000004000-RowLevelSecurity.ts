/**
 * Database-enforced brand isolation (ADR-009 negative consequence "row-level
 * isolation is enforced by code, not by the database"; issue #8). Behind the
 * code-level filter, every table with a brand_id column gets ENABLE and FORCE
 * ROW LEVEL SECURITY and one policy for every command:
 *
 *   brand_id = NULLIF(current_setting('app.brand_id', true), '')::integer
 *
 * The database lib sets `app.brand_id` transaction-locally
 * (`set_config(..., true)`); with no setting the comparison is NULL, so
 * nothing is visible and nothing can be written (fail closed). NULLIF covers
 * the empty string a pooled session keeps after a transaction-local setting
 * ends.
 *
 * The one cross-brand opt-in is `app.cross_brand`, set only by the database
 * lib's `crossBrandSql` (named reason, logged and counted):
 *   - `read`: SELECT on every non-money table (admin catalog lists, rollups,
 *     domain-map rebuilds, agent allow-list lookups);
 *   - `relay`: the same reads plus UPDATE of the two outbox tables, for the
 *     outbox relay's claim and publish marks.
 * Money tables (deposits, withdrawals, balance logs, coupons) get no
 * cross-brand policy at all. No policy ever allows a cross-brand INSERT or
 * DELETE.
 *
 * Two gaps row security alone leaves are closed here too:
 *   - foreign-key checks ignore row security, so a brand-A row could point
 *     at a brand-B player or coupon (and learn that the id exists): the six
 *     foreign keys between brand-scoped tables now include brand_id and
 *     reference UNIQUE (brand_id, id);
 *   - permissive policies are OR-ed, so the relay's UPDATE opt-in would let
 *     a statement move an outbox row to another brand: a trigger on every
 *     brand-scoped table refuses any change of a set brand_id (only a missing
 *     brand, NULL or <= 0, may be assigned, by the owner's backfill).
 *
 * The table list is a snapshot: a later migration that adds a brand-scoped
 * table adds its policies with `enableBrandRls` in the same change (a catalog
 * test fails otherwise). Privileges for the app role are granted by the
 * migrate command, because the role's name comes from config.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Money-adjacent tables: never readable across brands, whatever the setting. */
export const RLS_MONEY_TABLES = [
  'player_deposit',
  'player_withdraw',
  'player_balance_log',
  'agent_withdraw',
  'agent_balance_log',
  'coupon',
  'coupon_log',
  'coupon_recycle_log',
] as const;

/** Tables the outbox relay may update across brands. */
export const RLS_RELAY_TABLES = ['player_outbox', 'agent_outbox'] as const;

const BRAND_TABLES = [
  'admin_audit',
  'agent_balance_log',
  'agent_brand',
  'agent_domain',
  'agent_login_log',
  'agent_message',
  'agent_outbox',
  'agent_setting',
  'agent_withdraw',
  'banner',
  'brand_config',
  'brand_config_audit',
  'brand_provider_config',
  'coupon',
  'coupon_log',
  'coupon_recycle_log',
  'daily_statistics',
  'level_domain',
  'player',
  'player_balance_log',
  'player_deposit',
  'player_login_log',
  'player_message',
  'player_notice',
  'player_outbox',
  'player_withdraw',
  'recovery_audit',
];

const BRAND = `NULLIF(current_setting('app.brand_id', true), '')::integer`;
const CROSS = `NULLIF(current_setting('app.cross_brand', true), '')`;

/** ENABLE + FORCE row security and the policies described above, for one table. */
export async function enableBrandRls(q: QueryRunner, table: string): Promise<void> {
  await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await q.query(
    `CREATE POLICY brand_isolation ON ${table} FOR ALL USING (brand_id = ${BRAND}) WITH CHECK (brand_id = ${BRAND})`,
  );
  if ((RLS_MONEY_TABLES as readonly string[]).includes(table)) return;
  await q.query(
    `CREATE POLICY cross_brand_read ON ${table} FOR SELECT USING (${CROSS} IN ('read', 'relay'))`,
  );
  if ((RLS_RELAY_TABLES as readonly string[]).includes(table)) {
    await q.query(
      `CREATE POLICY outbox_relay ON ${table} FOR UPDATE USING (${CROSS} = 'relay') WITH CHECK (${CROSS} = 'relay')`,
    );
  }
}

/** brand_id never changes once set (NULL or <= 0 may still be assigned a brand by the backfill). */
const IMMUTABLE_BRAND_FUNCTION = `
  CREATE FUNCTION brand_id_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.brand_id IS DISTINCT FROM OLD.brand_id AND OLD.brand_id IS NOT NULL AND OLD.brand_id > 0 THEN
      RAISE EXCEPTION 'brand_id of a % row cannot change', TG_TABLE_NAME USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END $$`;

/** Foreign keys between brand-scoped tables, re-made to include brand_id. */
const BRAND_FOREIGN_KEYS = [
  { table: 'player_message', column: 'player_id', references: 'player' },
  { table: 'player_deposit', column: 'player_id', references: 'player' },
  { table: 'player_withdraw', column: 'player_id', references: 'player' },
  { table: 'coupon', column: 'player_id', references: 'player' },
  { table: 'coupon_log', column: 'coupon_id', references: 'coupon' },
  { table: 'coupon_recycle_log', column: 'coupon_id', references: 'coupon' },
] as const;

export async function disableBrandRls(q: QueryRunner, table: string): Promise<void> {
  for (const policy of ['outbox_relay', 'cross_brand_read', 'brand_isolation']) {
    await q.query(`DROP POLICY IF EXISTS ${policy} ON ${table}`);
  }
  await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
}

export class RowLevelSecurity1764000004000 implements MigrationInterface {
  name = 'RowLevelSecurity1764000004000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of BRAND_TABLES) await enableBrandRls(q, table);
    await q.query(IMMUTABLE_BRAND_FUNCTION);
    for (const table of BRAND_TABLES) {
      await q.query(
        `CREATE TRIGGER ${table}_brand_id_immutable BEFORE UPDATE OF brand_id ON ${table}
           FOR EACH ROW EXECUTE FUNCTION brand_id_immutable()`,
      );
    }
    for (const parent of ['player', 'coupon']) {
      await q.query(`ALTER TABLE ${parent} ADD CONSTRAINT ${parent}_brand_id_id_key UNIQUE (brand_id, id)`);
    }
    for (const fk of BRAND_FOREIGN_KEYS) {
      await q.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.table}_${fk.column}_fkey`);
      await q.query(
        `ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.table}_${fk.column}_fkey
           FOREIGN KEY (brand_id, ${fk.column}) REFERENCES ${fk.references} (brand_id, id)`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fk of BRAND_FOREIGN_KEYS) {
      await q.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT ${fk.table}_${fk.column}_fkey`);
      await q.query(
        `ALTER TABLE ${fk.table} ADD CONSTRAINT ${fk.table}_${fk.column}_fkey
           FOREIGN KEY (${fk.column}) REFERENCES ${fk.references} (id)`,
      );
    }
    for (const parent of ['coupon', 'player']) {
      await q.query(`ALTER TABLE ${parent} DROP CONSTRAINT ${parent}_brand_id_id_key`);
    }
    for (const table of BRAND_TABLES) await q.query(`DROP TRIGGER ${table}_brand_id_immutable ON ${table}`);
    await q.query(`DROP FUNCTION brand_id_immutable()`);
    for (const table of [...BRAND_TABLES].reverse()) await disableBrandRls(q, table);
  }
}
