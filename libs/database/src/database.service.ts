/**
 * The Database service: the only way apps open transactions. Global work
 * (brand catalog, agents, operators) uses `transaction`; everything that
 * touches brand-scoped rows uses `brandTransaction(brandId, fn)`, which
 * binds the brand once (ADR-009) and sets `app.brand_id` transaction-locally
 * first: PostgreSQL row-level security (migration RowLevelSecurity) shows
 * and accepts only that brand's rows, so a forgotten predicate leaks nothing.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { bindBrand } from './brand-binding';
import { asBrandId, type BrandId } from './brand-id';
import { type BrandScopedEntity, BrandScopedRepository, type EntityClass } from './brand-repository';
import { type CrossBrandAccess, crossBrandSql, scopedSql, type SqlResult } from './scoped-sql';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

/** What a brand transaction hands its callback. */
export interface BrandTx {
  readonly brandId: BrandId;
  /** The transaction's manager, for global tables in the same transaction. */
  readonly manager: EntityManager;
  repo<T extends BrandScopedEntity>(entity: EntityClass<T>): BrandScopedRepository<T>;
  /** Raw SQL with the brand as `$1` (yours start at `$2`); refuses unscoped statements. */
  sql<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

class BrandTransaction implements BrandTx {
  constructor(
    readonly brandId: BrandId,
    readonly manager: EntityManager,
  ) {}

  repo<T extends BrandScopedEntity>(entity: EntityClass<T>): BrandScopedRepository<T> {
    return new BrandScopedRepository(this.manager, entity, this.brandId);
  }

  sql<R = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
    return scopedSql<R>(this.manager, this.brandId, text, params);
  }
}

@Injectable()
export class Database implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) readonly dataSource: DataSource) {}

  /** A transaction for global (not brand-scoped) work. */
  transaction<R>(fn: (manager: EntityManager) => Promise<R>): Promise<R> {
    return this.dataSource.transaction(fn);
  }

  /** A transaction bound to one brand; `app.brand_id` is set for its duration only. */
  async brandTransaction<R>(brandId: BrandId, fn: (tx: BrandTx) => Promise<R>): Promise<R> {
    const brand = asBrandId(brandId);
    return this.dataSource.transaction(async (manager) => {
      await bindBrand(manager.queryRunner as QueryRunner, brand);
      return fn(new BrandTransaction(brand, manager));
    });
  }

  /** Cross-brand SQL outside a transaction; see crossBrandSql. */
  crossBrandSql<R = Record<string, unknown>>(
    reason: string,
    text: string,
    params: readonly unknown[] = [],
    access: CrossBrandAccess = 'read',
  ): Promise<SqlResult<R>> {
    return crossBrandSql<R>(this.dataSource, reason, text, params, access);
  }

  /** Health probe (CONTRACTS §8 `checks.db`). */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
