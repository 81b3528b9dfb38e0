/**
 * Binding a connection to a brand for PostgreSQL row-level security (issue
 * #8). Row security reads `app.brand_id`; it is only ever set with
 * `set_config('app.brand_id', $1, true)`, i.e. transaction-locally, so a
 * pooled connection never carries a brand past COMMIT or ROLLBACK.
 *
 * Every brand-scoped statement of the lib (scopedSql, BrandScopedRepository)
 * runs through `withBrand`: on a query runner already bound to that brand it
 * runs as is; inside some other transaction it sets the brand first; outside
 * a transaction it opens one. Bindings are remembered per TypeORM query
 * runner, which is created for one transaction and released after it.
 */
import type { EntityManager, QueryRunner } from 'typeorm';
import type { BrandId } from './brand-id';

const bound = new WeakMap<QueryRunner, number>();

export const SET_BRAND_SQL = `SELECT set_config('app.brand_id', $1, true)`;

/** Records that `runner`'s open transaction has `app.brand_id` = brand. */
export function markBound(runner: QueryRunner, brandId: BrandId): void {
  bound.set(runner, brandId);
}

export function boundBrand(runner: QueryRunner | undefined): number | undefined {
  return runner ? bound.get(runner) : undefined;
}

export async function bindBrand(runner: QueryRunner, brandId: BrandId): Promise<void> {
  await runner.query(SET_BRAND_SQL, [String(brandId)]);
  bound.set(runner, brandId);
}

function activeRunner(manager: EntityManager): QueryRunner | undefined {
  const runner = manager.queryRunner;
  return runner && !runner.isReleased && runner.isTransactionActive ? runner : undefined;
}

/** True when `manager` runs in a transaction whose `app.brand_id` is `brandId`. */
export function isBoundTo(manager: EntityManager, brandId: BrandId): boolean {
  const runner = activeRunner(manager);
  return runner !== undefined && bound.get(runner) === brandId;
}

/** Runs `fn` with `app.brand_id` = brandId set on the connection it uses. */
export async function withBrand<R>(
  manager: EntityManager,
  brandId: BrandId,
  fn: (manager: EntityManager) => Promise<R>,
): Promise<R> {
  const runner = activeRunner(manager);
  if (runner) {
    if (bound.get(runner) !== brandId) await bindBrand(runner, brandId);
    return fn(manager);
  }
  return manager.transaction(async (tx) => {
    await bindBrand(tx.queryRunner as QueryRunner, brandId);
    return fn(tx);
  });
}

/**
 * Runs `fn` in the caller's open transaction with `app.brand_id` = `brand`
 * for the rows it writes, then restores the transaction's previous binding.
 * For the audit writers, whose rows carry their own brand (0 = no brand
 * resolved, never a BrandId) inside transactions that may be global or bound
 * to that same brand (then nothing is sent).
 */
export async function withRowBrand<R>(
  manager: EntityManager,
  brand: number,
  fn: (manager: EntityManager) => Promise<R>,
): Promise<R> {
  if (!Number.isSafeInteger(brand) || brand < 0) throw new Error('row brand must be a non-negative integer');
  const runner = activeRunner(manager);
  if (!runner) throw new Error('withRowBrand needs an open transaction');
  const previous = bound.get(runner);
  if (previous === brand) return fn(manager);
  await runner.query(SET_BRAND_SQL, [String(brand)]);
  bound.set(runner, brand);
  let failed = false;
  try {
    return await fn(manager);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    if (previous === undefined) bound.delete(runner);
    else bound.set(runner, previous);
    // After a failed statement the transaction is aborted and only ROLLBACK can follow.
    if (!failed) await runner.query(SET_BRAND_SQL, [previous === undefined ? '' : String(previous)]);
  }
}
