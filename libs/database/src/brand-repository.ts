/**
 * Brand-scoped repository (ADR-009: "helpers, repositories, and ORM access
 * must make brand filtering hard to forget"; STYLE.md: Novu's typed filters,
 * Twenty's repository that refuses unsafe calls). The brand id is bound when
 * the repository is made, from a `BrandId` only, and every method adds it:
 *   - `where` types omit `brandId` and forbid it (`brandId?: never`), so a
 *     caller can neither pass nor override the brand;
 *   - there is no method that takes a bare query or an array of OR-ed wheres;
 *   - `queryBuilder(alias)` starts with `alias.brand_id = :brandId`; on it
 *     `where` becomes AND, top-level OR and the write builders throw, and the
 *     `brandId` parameter cannot be rebound to another value.
 */
import {
  type Brackets,
  type EntityManager,
  type FindManyOptions,
  type FindOneOptions,
  type FindOptionsWhere,
  type InsertResult,
  type ObjectLiteral,
  type QueryDeepPartialEntity,
  SelectQueryBuilder,
} from 'typeorm';
import { asBrandId, type BrandId } from './brand-id';
import { UnscopedQueryError } from './errors';
import { isBoundTo, withBrand } from './brand-binding';

/** An entity with a brand_id column. */
export type BrandScopedEntity = { brandId: number };

export type EntityClass<T> = new (...args: never[]) => T;

/** Filters of a brand-scoped query: anything but the brand, which the repository adds. */
export type ScopedWhere<T> = Omit<FindOptionsWhere<T>, 'brandId'> & { brandId?: never };

/** Column values of a brand-scoped write: anything but the brand. */
export type ScopedValues<T> = Omit<QueryDeepPartialEntity<T>, 'brandId'> & { brandId?: never };

export type ScopedFindOptions<T> = Omit<FindManyOptions<T>, 'where'>;
export type ScopedFindOneOptions<T> = Omit<FindOneOptions<T>, 'where'>;

/** The query-builder parameter that holds the brand id. */
export const BRAND_PARAMETER = 'brandId';

type WhereArg<Q> = Brackets | string | ((qb: Q) => string) | ObjectLiteral | ObjectLiteral[];

/**
 * A SelectQueryBuilder whose first WHERE condition is the brand pin. Builders
 * TypeORM derives from it (brackets, subqueries) are not sealed, so
 * `new Brackets((qb) => qb.where(a).orWhere(b))` still works inside andWhere.
 */
export class BrandScopedQueryBuilder<T extends ObjectLiteral> extends SelectQueryBuilder<T> {
  private scopeBrand: number | null = null;

  static create<T extends ObjectLiteral>(
    manager: EntityManager,
    entity: EntityClass<T>,
    alias: string,
    brandId: BrandId,
  ): BrandScopedQueryBuilder<T> {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new UnscopedQueryError('invalid alias', alias);
    const qb = new BrandScopedQueryBuilder<T>(manager.createQueryBuilder(entity, alias));
    qb.where(`${alias}.brand_id = :${BRAND_PARAMETER}`, { [BRAND_PARAMETER]: brandId });
    qb.scopeBrand = brandId;
    return qb;
  }

  private refuse(what: string): never {
    throw new UnscopedQueryError(
      `${what} on a brand-scoped query builder`,
      this.expressionMap.mainAlias?.name ?? '',
    );
  }

  override where(where: WhereArg<this>, parameters?: ObjectLiteral): this {
    if (this.scopeBrand === null) return super.where(where, parameters);
    return this.andWhere(where, parameters);
  }

  override andWhere(where: WhereArg<this>, parameters?: ObjectLiteral): this {
    if (this.scopeBrand !== null) {
      // `brand AND a OR b` would read as `(brand AND a) OR b`: parenthesise raw conditions.
      if (typeof where === 'string') where = `(${where})`;
      else if (typeof where === 'function') {
        const factory = where;
        where = (qb: this) => `(${factory(qb)})`;
      }
    }
    return super.andWhere(where, parameters);
  }

  override orWhere(where: WhereArg<this>, parameters?: ObjectLiteral): this {
    if (this.scopeBrand !== null) this.refuse('top-level orWhere (use andWhere(new Brackets(...)))');
    return super.orWhere(where, parameters);
  }

  override setParameter(key: string, value: unknown): this {
    if (this.scopeBrand !== null && key === BRAND_PARAMETER && value !== this.scopeBrand) {
      this.refuse('rebinding the brandId parameter');
    }
    return super.setParameter(key, value);
  }

  override from(...args: Parameters<SelectQueryBuilder<T>['from']>): never {
    if (this.scopeBrand !== null) this.refuse('from()');
    return (super.from as (...a: unknown[]) => never)(...args);
  }

  override addFrom(...args: Parameters<SelectQueryBuilder<T>['addFrom']>): never {
    if (this.scopeBrand !== null) this.refuse('addFrom()');
    return (super.addFrom as (...a: unknown[]) => never)(...args);
  }

  override update(...args: unknown[]): never {
    if (this.scopeBrand !== null) this.refuse('update() (use repo.update)');
    return (super.update as (...a: unknown[]) => never)(...args);
  }

  override delete(): never {
    if (this.scopeBrand !== null) this.refuse('delete() (use repo.delete)');
    return super.delete() as never;
  }

  override insert(): never {
    if (this.scopeBrand !== null) this.refuse('insert() (use repo.insert)');
    return super.insert() as never;
  }

  override softDelete(): never {
    if (this.scopeBrand !== null) this.refuse('softDelete()');
    return super.softDelete() as never;
  }

  override restore(): never {
    if (this.scopeBrand !== null) this.refuse('restore()');
    return super.restore() as never;
  }

  override relation(...args: unknown[]): never {
    if (this.scopeBrand !== null) this.refuse('relation()');
    return (super.relation as (...a: unknown[]) => never)(...args);
  }
}

function checkWhere(where: unknown): void {
  if (where === null || typeof where !== 'object' || Array.isArray(where)) {
    throw new UnscopedQueryError('where must be one object (OR-ed where arrays are not brand-safe)', '');
  }
  for (const [key, value] of Object.entries(where)) {
    // TypeORM skips undefined filters, so `{ id: undefined }` would match every row of the brand.
    if (value === undefined) throw new UnscopedQueryError(`where.${key} is undefined`, '');
  }
}

/** Repository over one brand-scoped entity with the brand id bound. */
export class BrandScopedRepository<T extends BrandScopedEntity> {
  readonly brandId: BrandId;

  constructor(
    private readonly manager: EntityManager,
    private readonly entity: EntityClass<T>,
    brandId: BrandId,
  ) {
    this.brandId = asBrandId(brandId);
    const metadata = manager.dataSource.getMetadata(entity);
    const column = metadata.findColumnWithPropertyPath('brandId');
    if (!column || column.databaseName !== 'brand_id') {
      throw new UnscopedQueryError(`${metadata.tableName} has no brand_id column`, metadata.tableName);
    }
  }

  private scoped(where: ScopedWhere<T>): FindOptionsWhere<T> {
    checkWhere(where);
    return { ...(where as object), brandId: this.brandId } as unknown as FindOptionsWhere<T>;
  }

  private values(values: ScopedValues<T>): QueryDeepPartialEntity<T> {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new UnscopedQueryError('values must be an object', '');
    }
    return { ...(values as object), brandId: this.brandId } as unknown as QueryDeepPartialEntity<T>;
  }

  async find(where: ScopedWhere<T>, options: ScopedFindOptions<T> = {}): Promise<T[]> {
    const where_ = this.scoped(where);
    return withBrand(this.manager, this.brandId, (m) => m.find(this.entity, { ...options, where: where_ }));
  }

  async findOne(where: ScopedWhere<T>, options: ScopedFindOneOptions<T> = {}): Promise<T | null> {
    const where_ = this.scoped(where);
    return withBrand(this.manager, this.brandId, (m) =>
      m.findOne(this.entity, { ...options, where: where_ }),
    );
  }

  async count(where: ScopedWhere<T>): Promise<number> {
    const where_ = this.scoped(where);
    return withBrand(this.manager, this.brandId, (m) => m.count(this.entity, { where: where_ }));
  }

  async insert(values: ScopedValues<T> | ScopedValues<T>[]): Promise<InsertResult> {
    const rows = Array.isArray(values) ? values.map((v) => this.values(v)) : this.values(values);
    return withBrand(this.manager, this.brandId, (m) => m.insert(this.entity, rows));
  }

  /** Updates the brand's rows matching `where`; returns the number of rows changed. */
  async update(where: ScopedWhere<T>, patch: ScopedValues<T>): Promise<number> {
    if (patch === null || typeof patch !== 'object' || 'brandId' in (patch as object)) {
      throw new UnscopedQueryError('a brand-scoped update cannot change brandId', '');
    }
    const where_ = this.scoped(where);
    const result = await withBrand(this.manager, this.brandId, (m) =>
      m.update(this.entity, where_, patch as QueryDeepPartialEntity<T>),
    );
    return result.affected ?? 0;
  }

  /** Deletes the brand's rows matching `where`; returns the number of rows deleted. */
  async delete(where: ScopedWhere<T>): Promise<number> {
    const where_ = this.scoped(where);
    const result = await withBrand(this.manager, this.brandId, (m) => m.delete(this.entity, where_));
    return result.affected ?? 0;
  }

  /** A SelectQueryBuilder already filtered by `alias.brand_id = :brandId`. */
  queryBuilder(alias: string): SelectQueryBuilder<T> {
    // The builder runs later on this manager's connection, so the brand must already be bound there.
    if (!isBoundTo(this.manager, this.brandId)) {
      throw new UnscopedQueryError(
        'queryBuilder needs a brand transaction (Database.brandTransaction)',
        alias,
      );
    }
    return BrandScopedQueryBuilder.create(this.manager, this.entity, alias, this.brandId);
  }
}

/** The standalone form: a brand-scoped repository over any EntityManager. */
export function brandRepo<T extends BrandScopedEntity>(
  manager: EntityManager,
  entity: EntityClass<T>,
  brandId: BrandId,
): BrandScopedRepository<T> {
  return new BrandScopedRepository(manager, entity, brandId);
}
