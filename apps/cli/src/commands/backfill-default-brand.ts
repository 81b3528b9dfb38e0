/**
 * `backfill-default-brand`: ADR-009 follow-up "backfill all existing rows
 * into a single default brand before enabling any second brand". Idempotent:
 * it makes sure the `default` brand row exists, then walks every brand-scoped
 * table (BRAND_SCOPED_TABLES) and assigns rows with a missing brand (NULL or
 * <= 0) to `default` where the schema allows it:
 *  - append-only audit tables (audit_append_only trigger) are never touched:
 *    brand 0 there is the documented "no brand resolved" and is only reported;
 *  - outbox tables get only unpublished rows (ahead of the relay cursor, or
 *    dead letters) reassigned, column and envelope together (a published
 *    event is history), under the cursor lock so no relay batch is in flight;
 *  - every other table gets a plain UPDATE (with NOT NULL + FK columns there
 *    is nothing to do, so this mostly verifies).
 * Rows whose positive brand_id names no brand are reported as dangling and
 * never reassigned (that would move another brand's data into `default`);
 * they make the command exit 1. Every cross-brand statement goes through
 * crossBrandSql with its reason.
 */
import type { DataSource } from 'typeorm';
import { BRAND_SCOPED_TABLES, createDataSource, crossBrandSql, quoteIdent } from '@app/database';
import { assertOutboxTable, OUTBOX_TABLES, publishedSql } from '@app/outbox';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, migrationDatabaseUrl } from './database-url';
import { routeLibraryLogs } from './ops-logger';

export const DEFAULT_BRAND_CODE = 'default';
const REASON = 'backfill-default-brand: operator verification and default-brand backfill across every brand';

interface BrandCount {
  brand_id: number | null;
  n: string;
  known: boolean;
}

interface TableReport {
  line: string;
  assigned: number;
  dangling: number;
  failed: boolean;
}

async function hasTable(ds: DataSource, table: string): Promise<boolean> {
  const [row] = (await ds.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`public.${table}`])) as {
    present: boolean;
  }[];
  return row?.present === true;
}

async function isAppendOnly(ds: DataSource, table: string): Promise<boolean> {
  const rows = (await ds.query(
    `SELECT 1 FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
      WHERE tg.tgrelid = to_regclass($1) AND p.proname = 'audit_append_only' LIMIT 1`,
    [`public.${table}`],
  )) as unknown[];
  return rows.length > 0;
}

/** The default brand's id, creating the row unless dry-run; a line explains a refusal. */
async function ensureDefaultBrand(
  ds: DataSource,
  dryRun: boolean,
  out: (line: string) => void,
): Promise<{ id: number | null; problem: string | null }> {
  const find = async () =>
    (
      (await ds.query(`SELECT id FROM brand WHERE brand_code = $1`, [DEFAULT_BRAND_CODE])) as { id: number }[]
    )[0];
  const existing = await find();
  if (existing) {
    out(`default brand: present (id ${existing.id})`);
    return { id: existing.id, problem: null };
  }
  // ADR-009 brand_code prefix-disjointness: `default` may not prefix or be prefixed by another code.
  const clashes = (await ds.query(
    `SELECT brand_code FROM brand WHERE starts_with($1, brand_code) OR starts_with(brand_code, $1) ORDER BY brand_code`,
    [DEFAULT_BRAND_CODE],
  )) as { brand_code: string }[];
  if (clashes.length > 0) {
    return {
      id: null,
      problem: `default brand: missing, and cannot be created: brand_code ${clashes
        .map((c) => JSON.stringify(c.brand_code))
        .join(', ')} prefix-collides with "${DEFAULT_BRAND_CODE}"`,
    };
  }
  if (dryRun) {
    out('default brand: missing; would create it (brand_code "default", name "Default", currency KRW)');
    return { id: null, problem: null };
  }
  await ds.query(
    `INSERT INTO brand (brand_code, name, default_currency) VALUES ($1, 'Default', 'KRW')
     ON CONFLICT (brand_code) DO NOTHING`,
    [DEFAULT_BRAND_CODE],
  );
  const created = await find();
  out(`default brand: created (id ${created.id})`);
  return { id: created.id, problem: null };
}

async function assignMissing(
  ds: DataSource,
  table: string,
  outbox: boolean,
  brandId: number,
): Promise<number> {
  const name = quoteIdent(table);
  if (outbox) {
    assertOutboxTable(table);
    // The cursor row is locked first: a relay batch in flight finishes, and none starts, until this
    // commits, so no row ahead of the cursor is being published while its brand changes.
    // brand-scope: cross-brand backfill of unpublished outbox rows that carry no brand
    const result = await crossBrandSql(
      ds,
      REASON,
      `WITH relay_cursor AS (
         SELECT tx_id, id FROM outbox_relay_cursor WHERE outbox_table = '${table}' FOR UPDATE
       )
       UPDATE ${name} AS o SET brand_id = $1, envelope = jsonb_set(o.envelope, '{brand_id}', to_jsonb($1::int))
         FROM relay_cursor c
        WHERE (o.brand_id IS NULL OR o.brand_id <= 0)
          AND NOT ${publishedSql(table, 'o', '(c.tx_id, c.id)')}`,
      [brandId],
    );
    return result.rowCount;
  }
  // brand-scope: cross-brand backfill of rows that carry no brand
  const result = await crossBrandSql(
    ds,
    REASON,
    `UPDATE ${name} SET brand_id = $1 WHERE brand_id IS NULL OR brand_id <= 0`,
    [brandId],
  );
  return result.rowCount;
}

async function countPublishedMissing(ds: DataSource, table: string): Promise<number> {
  assertOutboxTable(table);
  // brand-scope: cross-brand count of published outbox rows without a brand
  const { rows } = await crossBrandSql<{ n: string }>(
    ds,
    REASON,
    `SELECT count(*) AS n FROM ${quoteIdent(table)} o
      WHERE (o.brand_id IS NULL OR o.brand_id <= 0) AND ${publishedSql(table, 'o')}`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function inspectTable(
  ds: DataSource,
  table: string,
  codes: Map<number, string>,
  defaultId: number | null,
  dryRun: boolean,
): Promise<TableReport> {
  // brand-scope: cross-brand per-brand row counts for the operator report
  const { rows } = await crossBrandSql<BrandCount>(
    ds,
    REASON,
    `SELECT t.brand_id, count(*) AS n, bool_or(b.id IS NOT NULL) AS known
       FROM ${quoteIdent(table)} t LEFT JOIN brand b ON b.id = t.brand_id
      GROUP BY t.brand_id ORDER BY t.brand_id NULLS FIRST`,
  );
  let total = 0;
  let missing = 0;
  let dangling = 0;
  const perBrand: string[] = [];
  for (const row of rows) {
    const n = Number(row.n);
    total += n;
    if (row.brand_id === null || row.brand_id <= 0) {
      missing += n;
    } else if (!row.known) {
      dangling += n;
      perBrand.push(`unknown brand ${row.brand_id}: ${n}`);
    } else {
      perBrand.push(`${codes.get(row.brand_id) ?? '?'}(${row.brand_id}): ${n}`);
    }
  }
  const parts = [`${table}: ${total} row(s)${perBrand.length ? ` [${perBrand.join(', ')}]` : ''}`];
  let assigned = 0;
  let failed = false;
  if (missing > 0) {
    const outbox = (OUTBOX_TABLES as readonly string[]).includes(table);
    if (await isAppendOnly(ds, table)) {
      parts.push(`${missing} without a brand (append-only audit: "no brand resolved", kept as is)`);
    } else if (!dryRun && defaultId === null) {
      failed = true;
      parts.push(`${missing} without a brand: not assigned (there is no default brand)`);
    } else if (dryRun || defaultId === null) {
      const published = outbox ? await countPublishedMissing(ds, table) : 0;
      parts.push(
        `${missing} without a brand: would assign ${missing - published} to default` +
          (published ? `, keep ${published} already published` : ''),
      );
    } else {
      try {
        assigned = await assignMissing(ds, table, outbox, defaultId);
        const kept = missing - assigned;
        parts.push(
          `${missing} without a brand: assigned ${assigned} to default` +
            (kept ? `, kept ${kept} already published` : ''),
        );
      } catch (err) {
        failed = true;
        parts.push(
          `${missing} without a brand: assignment failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }
  if (dangling > 0) parts.push(`${dangling} dangling (brand_id names no brand; left for an operator)`);
  return { line: parts.join('; '), assigned, dangling, failed };
}

export const backfillDefaultBrand: Command = {
  summary: 'ensure the default brand exists and assign brand-less rows to it (idempotent; --dry-run)',
  usage: [
    'backfill-default-brand [--dry-run]',
    '  Reads MIGRATION_DATABASE_URL (the table owner). Creates the `default` brand when missing, then reports, per brand-scoped',
    '  table, the row count per brand and assigns rows with a missing brand (NULL or <= 0) to',
    '  `default` where the schema allows (audit tables are append-only and kept; published outbox',
    '  rows are kept). Rows naming a brand that does not exist are reported, never moved, and make',
    '  the exit code 1. --dry-run changes nothing and says what it would do. Safe to run again.',
  ].join('\n'),
  async run({ args, env, out, err }) {
    const flags = parseFlags(args, ['dry-run']);
    const dryRun = flags['dry-run'] !== undefined;
    routeLibraryLogs(err);
    // a setup/data-fix tool: runs as the table owner (BYPASSRLS), like a migration
    const url = migrationDatabaseUrl(env);
    const ds = createDataSource({ url, poolSize: 2, applicationName: 'servers-v2-ops' });
    await ds.initialize();
    try {
      if (!(await hasTable(ds, 'brand'))) {
        err(`backfill-default-brand: database ${databaseName(url)} has no brand table; run migrate first`);
        return 1;
      }
      out(
        `backfill-default-brand: database ${databaseName(url)}${dryRun ? ' (dry run: nothing is changed)' : ''}`,
      );
      const problems: string[] = [];
      const { id: defaultId, problem } = await ensureDefaultBrand(ds, dryRun, out);
      if (problem) problems.push(problem);

      const codes = new Map(
        ((await ds.query(`SELECT id, brand_code FROM brand`)) as { id: number; brand_code: string }[]).map(
          (b) => [b.id, b.brand_code],
        ),
      );
      let assigned = 0;
      let tables = 0;
      for (const table of BRAND_SCOPED_TABLES) {
        if (!(await hasTable(ds, table))) {
          out(`  ${table}: not present in this database (skipped)`);
          continue;
        }
        tables++;
        const report = await inspectTable(ds, table, codes, defaultId, dryRun);
        out(`  ${report.line}`);
        assigned += report.assigned;
        if (report.dangling > 0)
          problems.push(`${table}: ${report.dangling} row(s) name a brand that does not exist`);
        if (report.failed) problems.push(`${table}: the assignment failed (see above)`);
      }
      out(
        `backfill-default-brand: ${tables} brand-scoped table(s) checked; ${
          dryRun ? 'dry run, nothing changed' : `${assigned} row(s) assigned to default`
        }`,
      );
      if (problems.length > 0) {
        for (const p of problems) err(`backfill-default-brand: ${p}`);
        return 1;
      }
      return 0;
    } finally {
      await ds.destroy();
    }
  },
};
