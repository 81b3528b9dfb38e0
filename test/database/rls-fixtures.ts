/**
 * Schema-driven fixtures for the row-level security suite (issue #8). The
 * suite must cover every brand-scoped table, including ones added after it
 * was written, so rows are not hand-written per table: `readCatalog` reads
 * the tables, columns, CHECK, UNIQUE and FOREIGN KEY constraints of schema
 * `public` from the PostgreSQL catalog, and `RowFactory` builds a valid row
 * for any table and brand from that alone:
 *   - every NOT NULL column without a default gets a value of its type
 *     (strings lower-case with a CSPRNG suffix plus a counter, so UNIQUE
 *     constraints and `x = lower(x)` checks hold, numbers positive);
 *   - a column with a single-column CHECK listing allowed values
 *     (`= ANY (ARRAY[...])`, `IN (...)`) gets one of them;
 *   - a foreign key points at an existing row of the same brand when the
 *     referenced table is brand-scoped, else at any row; a referenced row is
 *     created when none exists, or when the key is part of a UNIQUE
 *     constraint (agent_brand's (agent_id, brand_id) needs a new agent per
 *     row).
 * A table whose columns or checks this cannot satisfy makes the insert fail
 * loudly with the table named, which is the point: a new table then needs a
 * look, not a silent gap. Fixtures are written through a superuser
 * connection (row security does not apply to it).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Client } from 'pg';

export interface ColumnInfo {
  name: string;
  /** pg_type.typname of the column's type (of the base type for a domain). */
  type: string;
  notNull: boolean;
  /** Has a default, or is an identity or generated column: the insert leaves it out. */
  defaulted: boolean;
}

export interface ForeignKeyInfo {
  name: string;
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** Allowed values per column, from single-column CHECK constraints that list them. */
  allowed: Map<string, string[]>;
  foreignKeys: ForeignKeyInfo[];
  /** Column sets of every UNIQUE constraint, primary key and unique index. */
  uniqueSets: string[][];
  brandScoped: boolean;
}

export interface Catalog {
  tables: Map<string, TableInfo>;
  /** Tables of schema public with a brand_id column, sorted by name. */
  brandTables: string[];
}

export type Row = Record<string, unknown>;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The quoted literals of `col = ANY (ARRAY['a'::text, ...])` or `col IN ('a', ...)`, else null. */
export function allowedValuesOf(checkDef: string): string[] | null {
  const list = /=\s*ANY\s*\(\s*\(?\s*ARRAY\[(.*?)\]/i.exec(checkDef) ?? /\bIN\s*\((.*?)\)/i.exec(checkDef);
  if (!list) return null;
  const values = [...list[1].matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
  return values.length > 0 ? values : null;
}

export async function readCatalog(client: Client): Promise<Catalog> {
  const tables = new Map<string, TableInfo>();
  const relations = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`,
  );
  for (const { name } of relations.rows) {
    tables.set(name, {
      name,
      columns: [],
      allowed: new Map(),
      foreignKeys: [],
      uniqueSets: [],
      brandScoped: false,
    });
  }
  const table = (name: string): TableInfo => {
    const info = tables.get(name);
    if (!info) throw new Error(`rls fixtures: table ${name} is not in schema public`);
    return info;
  };

  const columns = await client.query<{
    table: string;
    name: string;
    type: string;
    not_null: boolean;
    defaulted: boolean;
  }>(
    `SELECT c.relname AS table, a.attname AS name,
            CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END AS type,
            a.attnotnull AS not_null,
            (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS defaulted
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  for (const c of columns.rows) {
    const info = table(c.table);
    info.columns.push({ name: c.name, type: c.type, notNull: c.not_null, defaulted: c.defaulted });
    if (c.name === 'brand_id') info.brandScoped = true;
  }

  const constraints = await client.query<{
    name: string;
    kind: string;
    table: string;
    def: string;
    columns: string[];
    ref_table: string | null;
    ref_columns: string[];
  }>(
    `SELECT con.conname AS name, con.contype AS kind, c.relname AS table, pg_get_constraintdef(con.oid) AS def,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
            rc.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i) AS ref_columns
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       LEFT JOIN pg_class rc ON rc.oid = con.confrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND con.contype IN ('c', 'f')
      ORDER BY c.relname, con.conname`,
  );
  for (const con of constraints.rows) {
    const info = table(con.table);
    if (con.kind === 'c') {
      const values = con.columns.length === 1 ? allowedValuesOf(con.def) : null;
      if (values) info.allowed.set(con.columns[0], values);
    } else if (con.ref_table) {
      info.foreignKeys.push({
        name: con.name,
        table: con.table,
        columns: con.columns,
        refTable: con.ref_table,
        refColumns: con.ref_columns,
      });
    }
  }

  const uniques = await client.query<{ table: string; columns: string[] }>(
    `SELECT c.relname AS table,
            ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) k(n)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n) AS columns
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
      WHERE c.relnamespace = 'public'::regnamespace AND i.indisunique`,
  );
  for (const u of uniques.rows) table(u.table).uniqueSets.push(u.columns);

  const brandTables = [...tables.values()]
    .filter((t) => t.brandScoped)
    .map((t) => t.name)
    .sort();
  return { tables, brandTables };
}

/** Brand-scoped tables ordered so every table comes after the brand-scoped tables it references. */
export function foreignKeyOrder(catalog: Catalog): string[] {
  const pending = new Map<string, Set<string>>();
  for (const name of catalog.brandTables) {
    const refs = catalog.tables
      .get(name)!
      .foreignKeys.map((fk) => fk.refTable)
      .filter((ref) => ref !== name && catalog.tables.get(ref)?.brandScoped);
    pending.set(name, new Set(refs));
  }
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending]
      .filter(([, refs]) => refs.size === 0)
      .map(([name]) => name)
      .sort();
    if (ready.length === 0)
      throw new Error(`rls fixtures: foreign key cycle among ${[...pending.keys()].join(', ')}`);
    for (const name of ready) {
      order.push(name);
      pending.delete(name);
      for (const refs of pending.values()) refs.delete(name);
    }
  }
  return order;
}

/** Foreign keys of other tables that reference `table` (self-references excluded). */
export function referencing(catalog: Catalog, table: string): ForeignKeyInfo[] {
  return [...catalog.tables.values()].flatMap((t) =>
    t.foreignKeys.filter((fk) => fk.refTable === table && fk.table !== table),
  );
}

/** INSERT text and parameters for `row` into `table`. */
export function insertSql(table: string, row: Row): { text: string; values: unknown[] } {
  const names = Object.keys(row);
  return {
    text: `INSERT INTO ${quoteIdent(table)} (${names.map(quoteIdent).join(', ')}) VALUES (${names
      .map((_, i) => `$${i + 1}`)
      .join(', ')})`,
    values: names.map((n) => row[n]),
  };
}

export class RowFactory {
  private sequence = randomInt(1_000, 9_000);

  constructor(
    private readonly superuser: Client,
    readonly catalog: Catalog,
  ) {}

  private info(table: string): TableInfo {
    const info = this.catalog.tables.get(table);
    if (!info) throw new Error(`rls fixtures: unknown table ${table}`);
    return info;
  }

  /** A value of the column's type that is new on every call (UNIQUE constraints hold). */
  private valueFor(table: TableInfo, column: ColumnInfo): unknown {
    const allowed = table.allowed.get(column.name);
    if (allowed) return allowed[randomInt(allowed.length)];
    const n = ++this.sequence;
    switch (column.type) {
      case 'text':
      case 'varchar':
      case 'bpchar':
      case 'citext':
        return `r${n}${randomBytes(3).toString('hex')}`;
      case 'int2':
      case 'int4':
      case 'int8':
        return n;
      case 'numeric':
      case 'float4':
      case 'float8':
        return `${n}.25`;
      case 'bool':
        return true;
      case 'json':
      case 'jsonb':
        return { fixture: n };
      case 'uuid':
        return randomUUID();
      case 'date':
        return new Date(Date.UTC(2000, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
      case 'timestamp':
      case 'timestamptz':
        return new Date().toISOString();
      case 'inet':
        return `10.${n % 250}.${randomInt(250)}.${randomInt(1, 250)}`;
      case 'bytea':
        return randomBytes(8);
      default:
        throw new Error(
          `rls fixtures: no value generator for ${table.name}.${column.name} of type ${column.type}`,
        );
    }
  }

  /** The referenced columns of a row `fk` may point at, for `brandId` (created when needed). */
  private async referencedRow(fk: ForeignKeyInfo, brandId: number | null, fresh: boolean): Promise<Row> {
    const ref = this.info(fk.refTable);
    const cols = fk.refColumns.map(quoteIdent).join(', ');
    if (!fresh) {
      const scoped = ref.brandScoped;
      if (scoped && brandId === null)
        throw new Error(`rls fixtures: ${fk.table} -> ${fk.refTable} needs a brand`);
      const found = await this.superuser.query(
        `SELECT ${cols} FROM ${quoteIdent(ref.name)} ${scoped ? 'WHERE brand_id = $1' : ''} ORDER BY ctid LIMIT 1`,
        scoped ? [brandId] : [],
      );
      if (found.rows[0]) return found.rows[0] as Row;
    }
    const created = await this.insert(ref.name, ref.brandScoped ? brandId : null);
    return Object.fromEntries(fk.refColumns.map((c) => [c, created[c]]));
  }

  /**
   * Values for a valid row of `table` owned by `brandId` (null for a table
   * without brand_id). Referenced rows are created now, through the
   * superuser; the row itself is not inserted.
   */
  async build(table: string, brandId: number | null): Promise<Row> {
    const info = this.info(table);
    const row: Row = {};
    if (info.brandScoped) {
      if (brandId === null) throw new Error(`rls fixtures: ${table} is brand-scoped; a brand is required`);
      row.brand_id = brandId;
    }
    const required = (c: ColumnInfo): boolean => c.notNull && !c.defaulted;
    for (const fk of info.foreignKeys) {
      if (fk.refTable === table) continue; // self-reference: only nullable ones exist; left NULL
      const own = fk.columns.filter((c) => c !== 'brand_id');
      if (own.length === 0) continue; // brand_id -> brand(id): the brand itself
      if (!fk.columns.some((c) => required(info.columns.find((col) => col.name === c)!))) continue;
      const inUnique = info.uniqueSets.some((set) => own.every((c) => set.includes(c)));
      const target = await this.referencedRow(fk, brandId, inUnique);
      fk.columns.forEach((c, i) => {
        if (c !== 'brand_id') row[c] = target[fk.refColumns[i]];
      });
    }
    for (const column of info.columns) {
      if (column.name in row || !required(column)) continue;
      row[column.name] = this.valueFor(info, column);
    }
    return row;
  }

  /** Builds and inserts a row; returns the stored row. */
  async insert(table: string, brandId: number | null): Promise<Row> {
    const { text, values } = insertSql(table, await this.build(table, brandId));
    try {
      const result = await this.superuser.query(`${text} RETURNING *`, values);
      return result.rows[0] as Row;
    } catch (err) {
      throw new Error(`rls fixtures: cannot insert a generated row into ${table}: ${(err as Error).message}`);
    }
  }
}
