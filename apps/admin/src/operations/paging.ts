/** Shared page query/DTO for brand-scoped list routes. */
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { BrandId, BrandScopedEntity, Database, EntityClass } from '@app/database';
import { NotFoundError, ok } from '@app/http';

export class PageQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) page_size = 20;
}

export interface Page<V> {
  items: V[];
  total: number;
  page: number;
  page_size: number;
}

/** Runs a (brand-scoped) query builder one page at a time, newest first. */
export async function pageOf<T extends ObjectLiteral, V>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  query: PageQuery,
  map: (row: T) => V,
): Promise<Page<V>> {
  const [rows, total] = await qb
    .orderBy(`${alias}.id`, 'DESC')
    .skip((query.page - 1) * query.page_size)
    .take(query.page_size)
    .getManyAndCount();
  return { items: rows.map(map), total, page: query.page, page_size: query.page_size };
}

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * One page of a brand's rows of `entity`, newest first, with an equality
 * filter per defined entry of `filters` (keys are column names, fixed in code).
 */
export function brandPage<T extends BrandScopedEntity & ObjectLiteral, V>(
  db: Database,
  brandId: BrandId,
  entity: EntityClass<T>,
  query: PageQuery,
  filters: Record<string, string | number | undefined>,
  view: (row: T) => V,
) {
  return db.brandTransaction(brandId, async (tx) => {
    const qb = tx.repo(entity).queryBuilder('r');
    for (const [column, value] of Object.entries(filters)) {
      if (value !== undefined) qb.andWhere(`r.${column} = :${column}`, { [column]: value });
    }
    return ok(await pageOf(qb, 'r', query, view));
  });
}

/** One of a brand's rows of `entity` by id, or NotFoundError(`${what} not found`). */
export function brandRowById<T extends BrandScopedEntity & ObjectLiteral, V>(
  db: Database,
  brandId: BrandId,
  entity: EntityClass<T>,
  id: number,
  what: string,
  view: (row: T) => V,
) {
  return db.brandTransaction(brandId, async (tx) => {
    const row = await tx.repo(entity).queryBuilder('r').andWhere('r.id = :id', { id }).getOne();
    if (!row) throw new NotFoundError(`${what} not found`);
    return ok(view(row));
  });
}
