/**
 * TypeORM's postgres `query()` answers UPDATE/DELETE with `[rows, affected]`
 * and everything else with `rows`; this reads the RETURNING rows of either,
 * for statements on global tables (agent, brand) run outside scopedSql.
 */
export function returningRows<R>(result: unknown): R[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as R[];
  }
  return result as R[];
}
