/**
 * The one operator-log paginator (seed 004 T16-A, CR9-D-Crit-1 fix): its first
 * predicate is always `brand_id = $1`, appended before any user filter; user
 * filters are whitelisted parameter names mapped to fixed columns, and every
 * value is bound as a parameter, never spliced into the SQL. Unknown
 * parameters are refused (status 2) rather than ignored, so a typo cannot
 * silently widen a query. Tables not provisioned yet answer an empty page
 * after the same validation.
 */
import { InvalidInputError } from '@app/http';
import type { LogTableSpec } from './log-tables';

export interface LogPage {
  items: Record<string, unknown>[];
  total: number;
  page: number;
  page_size: number;
}

/** Runs SQL with the brand already bound as $1 (the caller's params become $2...). */
export type BrandSql = <R = Record<string, unknown>>(
  text: string,
  params?: readonly unknown[],
) => Promise<{ rows: R[] }>;

const PAGING = new Set(['page', 'page_size', 'start_time', 'end_time']);
const MAX_PAGE_SIZE = 100;

function single(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[value.length - 1] : value;
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

function positiveInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  max: number,
  errors: Record<string, string[]>,
): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    errors[name] = ['isInt'];
    return fallback;
  }
  return Number(raw);
}

function timestamp(
  name: string,
  raw: string | undefined,
  errors: Record<string, string[]>,
): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const date = new Date(raw);
  // PostgreSQL timestamps have no year 0 and stop at 9999 (22008 otherwise): years 1-9999 in UTC.
  const year = date.getUTCFullYear();
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(date.getTime()) || year < 1 || year > 9999) {
    errors[name] = ['isISO8601'];
    return undefined;
  }
  return date;
}

function filterValue(
  type: 'integer' | 'text' | 'boolean',
  raw: string,
): string | number | boolean | undefined {
  if (type === 'integer') return /^\d{1,18}$/.test(raw) ? raw : undefined;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  return raw.length <= 256 ? raw : undefined;
}

export async function queryLogTable(
  sql: BrandSql,
  spec: LogTableSpec,
  query: Record<string, unknown>,
): Promise<LogPage> {
  const errors: Record<string, string[]> = {};
  const page = positiveInt('page', single(query.page), 1, 1_000_000, errors);
  const pageSize = positiveInt('page_size', single(query.page_size), 20, MAX_PAGE_SIZE, errors);
  const from = timestamp('start_time', single(query.start_time), errors);
  const to = timestamp('end_time', single(query.end_time), errors);

  // The brand pin is the first predicate, before any user-supplied filter.
  const conditions = ['brand_id = $1'];
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length + 1}`;
  };

  for (const [name, rawValue] of Object.entries(query)) {
    if (PAGING.has(name)) continue;
    const filter = Object.prototype.hasOwnProperty.call(spec.filters, name) ? spec.filters[name] : undefined;
    if (!filter) {
      errors[name] = ['unknownFilter'];
      continue;
    }
    const raw = single(rawValue);
    if (raw === undefined || raw === '') continue;
    const value = filterValue(filter.type, raw);
    if (value === undefined) {
      errors[name] = [
        filter.type === 'integer' ? 'isInt' : filter.type === 'boolean' ? 'isBoolean' : 'maxLength',
      ];
      continue;
    }
    conditions.push(`${filter.column} = ${bind(value)}`);
  }
  if (from) conditions.push(`created_at >= ${bind(from.toISOString())}`);
  if (to) conditions.push(`created_at < ${bind(to.toISOString())}`);
  if (Object.keys(errors).length > 0) throw new InvalidInputError('invalid log query', errors);

  if (!spec.provisioned) return { items: [], total: 0, page, page_size: pageSize };

  const where = conditions.join(' AND ');
  const counted = await sql<{ total: string }>(
    `SELECT count(*) AS total FROM ${spec.table} WHERE ${where}`,
    params,
  );
  const total = Number(counted.rows[0]?.total ?? 0);
  const limit = bind(pageSize);
  const offset = bind((page - 1) * pageSize);
  const rows = await sql(
    `SELECT ${spec.columns.join(', ')} FROM ${spec.table} WHERE ${where} ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  return { items: rows.rows.map(numericIds), total, page, page_size: pageSize };
}

const ID_COLUMNS = ['id', 'brand_id', 'player_id', 'agent_id'];

/** bigint ids arrive as strings from pg; they stay far below 2^53, so they are numbers on the wire. */
function numericIds(row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  for (const column of ID_COLUMNS) {
    if (typeof out[column] === 'string') out[column] = Number(out[column]);
  }
  return out;
}
