/**
 * Errors of the data layer. UnscopedQueryError is a programming error (a
 * brand-scoped statement without its brand predicate, ADR-009 "every
 * brand-scoped query must include brand_id"): it maps to an internal error,
 * never to a client-facing status, and never echoes the SQL to clients.
 */
export class UnscopedQueryError extends Error {
  constructor(
    readonly reason: string,
    readonly statement: string,
  ) {
    super(`unscoped query refused: ${reason}`);
    this.name = 'UnscopedQueryError';
  }
}

/** crossBrandSql was called without a stated reason. */
export class CrossBrandReasonRequiredError extends Error {
  constructor() {
    super('crossBrandSql requires a non-empty reason');
    this.name = 'CrossBrandReasonRequiredError';
  }
}
