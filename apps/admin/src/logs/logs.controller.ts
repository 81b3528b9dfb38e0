/**
 * Operator log reads (seed 004 T16-A): `GET /api/v1/logs/{kind}` for the four
 * real tables and the nine not yet provisioned, all brand-required (status
 * 54 without a brand) and all through the one paginator.
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { NotFoundError, ok } from '@app/http';
import { type BrandId, Database } from '@app/database';
import { RequestBrand } from '../common/request-context';
import { queryLogTable } from './log-paginator';
import { LOG_TABLES, logTable } from './log-tables';

@Controller('api/v1/logs')
export class LogsController {
  constructor(private readonly db: Database) {}

  @Get()
  kinds() {
    return ok(
      LOG_TABLES.map((spec) => ({
        kind: spec.kind,
        table: spec.table,
        provisioned: spec.provisioned,
        filters: Object.keys(spec.filters),
      })),
    );
  }

  @Get(':kind')
  async read(
    @Param('kind') kind: string,
    @RequestBrand() brandId: BrandId,
    @Query() query: Record<string, unknown>,
  ) {
    const spec = logTable(kind);
    if (!spec) throw new NotFoundError('unknown log');
    return ok(
      await this.db.brandTransaction(brandId, (tx) =>
        queryLogTable((text, params) => tx.sql(text, params), spec, query),
      ),
    );
  }
}
