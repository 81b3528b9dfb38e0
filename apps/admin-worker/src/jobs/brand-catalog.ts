/**
 * The brands the jobs iterate over. The brand catalog is global (ADR-009:
 * `brand` has no brand_id), so it is read directly; every job then opens one
 * `brandTransaction` per brand. Disabled brands are included: their players,
 * requests and domains still exist and their bookkeeping must not freeze.
 */
import { Injectable } from '@nestjs/common';
import { asBrandId, type BrandId, Database } from '@app/database';

export interface CatalogBrand {
  id: BrandId;
  brandCode: string;
  status: string;
}

@Injectable()
export class BrandCatalog {
  constructor(private readonly db: Database) {}

  async all(): Promise<CatalogBrand[]> {
    const rows = (await this.db.dataSource.query(
      `SELECT id, brand_code, status FROM brand ORDER BY id`,
    )) as Array<{
      id: number;
      brand_code: string;
      status: string;
    }>;
    return rows.map((r) => ({ id: asBrandId(Number(r.id)), brandCode: r.brand_code, status: r.status }));
  }
}
