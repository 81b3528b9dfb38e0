/**
 * The brand-scoped table list, shared with tools/brand-scope-check through
 * one JSON file so the run-time guard and the static check cannot drift.
 */
import scoped from './brand-scoped-tables.json';

export const BRAND_SCOPED_TABLES: readonly string[] = Object.freeze([...scoped.tables]);

const SCOPED = new Set(BRAND_SCOPED_TABLES);

export function isBrandScopedTable(name: string): boolean {
  return SCOPED.has(name.toLowerCase());
}
