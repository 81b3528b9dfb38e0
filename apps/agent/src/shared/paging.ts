/**
 * Paging and date-range query shapes shared by the agent portal's list and
 * statistics routes. Days are UTC calendar days (`YYYY-MM-DD`), both ends
 * inclusive; a range defaults to the last 7 days and is capped at 93 days so
 * one request cannot scan a brand's whole history.
 */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { InvalidInputError } from '@app/http';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  size?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

export function pageWindow(query: PageQuery): { page: number; size: number; offset: number } {
  const page = query.page ?? 1;
  const size = query.size ?? 20;
  return { page, size, offset: (page - 1) * size };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_RANGE_DAYS = 93;

export class DateRangeQuery {
  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'First UTC day (inclusive); default 6 days before end',
  })
  @IsOptional()
  @Matches(DAY)
  start?: string;

  @ApiPropertyOptional({ example: '2026-01-07', description: 'Last UTC day (inclusive); default today' })
  @IsOptional()
  @Matches(DAY)
  end?: string;
}

function parseDay(value: string, field: string): Date {
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new InvalidInputError('invalid input', { [field]: ['isDate'] });
  }
  return date;
}

export interface DayRange {
  start: string;
  end: string;
}

export function dayRange(query: DateRangeQuery, now = new Date()): DayRange {
  const end = query.end
    ? parseDay(query.end, 'end')
    : new Date(`${now.toISOString().slice(0, 10)}T00:00:00.000Z`);
  const start = query.start ? parseDay(query.start, 'start') : new Date(end.getTime() - 6 * 86_400_000);
  const days = Math.round((end.getTime() - start.getTime()) / 86_400_000) + 1;
  if (days < 1) throw new InvalidInputError('invalid input', { start: ['beforeEnd'] });
  if (days > MAX_RANGE_DAYS) throw new InvalidInputError('invalid input', { start: ['maxRange'] });
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10) };
}
