/** Shared page query/DTO for brand-scoped list routes. */
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

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
