/**
 * The brand catalog (ADR-009 "Brand entity", seed 004): create, list, read,
 * update, enable/disable. brand_code is immutable once created (outbound
 * provider accounts are namespaced with it) and prefix-disjoint from every
 * other code and from player accounts already sent to providers (409, status
 * 8). The check runs under a transaction-scoped advisory lock, so two
 * concurrent creates of `ab` and `abc` cannot both pass. Every write is
 * audited in its transaction; BRAND_CATALOG_CHANGED follows the commit.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConflictError, NotFoundError } from '@app/http';
import { Brand, crossBrandSql, Database, type EnabledStatus } from '@app/database';
import { AdminAuditService } from '../common/admin-audit.service';
import { AdminEvents, BRAND_CATALOG_CHANGED } from '../common/events';
import { caseVariants, likePrefix, normalizeBrandCode } from './brand-code';

export interface BrandView {
  id: number;
  brand_code: string;
  name: string;
  default_currency: string;
  status: EnabledStatus;
}

const CATALOG_LOCK = 'admin:brand_catalog';

export function brandView(brand: Brand): BrandView {
  return {
    id: brand.id,
    brand_code: brand.brandCode,
    name: brand.name,
    default_currency: brand.defaultCurrency,
    status: brand.status,
  };
}

function snapshot(brand: Brand): Record<string, unknown> {
  return {
    brand_code: brand.brandCode,
    name: brand.name,
    default_currency: brand.defaultCurrency,
    status: brand.status,
  };
}

/** Every proper prefix of `code` (`abc` → `a`, `ab`). */
function properPrefixes(code: string): string[] {
  return Array.from({ length: code.length - 1 }, (_, i) => code.slice(0, i + 1));
}

@Injectable()
export class BrandsService {
  constructor(
    private readonly db: Database,
    private readonly audit: AdminAuditService,
    private readonly events: AdminEvents,
  ) {}

  /** Throws ConflictError naming what the code collides with (never a player account). */
  async assertCodeDisjoint(manager: EntityManager, code: string): Promise<void> {
    const codes: Array<{ brand_code: string }> = await manager.query(
      `SELECT brand_code FROM brand WHERE brand_code LIKE $1 OR brand_code = ANY($2::text[]) ORDER BY brand_code LIMIT 1`,
      [likePrefix(code), properPrefixes(code)],
    );
    if (codes.length > 0) {
      throw new ConflictError('brand_code collides with an existing brand_code prefix', {
        conflict: 'brand_code',
        brand_code: codes[0].brand_code,
      });
    }
    // Cross-brand on purpose: a namespaced account of ANY brand could be mis-parsed (existence only, no money).
    // Accounts may carry capitals: lower(account) decides, the case-variant ranges keep it an index scan.
    const heads = caseVariants(code);
    const ranges = heads.map((_, i) => `account LIKE $${i + 2}`).join(' OR ');
    const accounts = await crossBrandSql(
      manager,
      'brand_code prefix check against player accounts sent to providers',
      `SELECT 1 FROM player WHERE lower(account) LIKE lower($1) AND (${ranges}) LIMIT 1`,
      [likePrefix(code), ...heads.map(likePrefix)],
    );
    if (accounts.rows.length > 0) {
      throw new ConflictError('brand_code collides with the prefix of existing player accounts', {
        conflict: 'player_account',
      });
    }
  }

  async create(
    operatorId: number,
    input: { brand_code: string; name: string; default_currency: string },
  ): Promise<BrandView> {
    const code = normalizeBrandCode(input.brand_code);
    const brand = await this.db.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [CATALOG_LOCK]);
      await this.assertCodeDisjoint(manager, code);
      const repo = manager.getRepository(Brand);
      const created = await repo.save(
        repo.create({
          brandCode: code,
          name: input.name.trim(),
          defaultCurrency: input.default_currency.trim().toUpperCase(),
          status: 'enabled',
        }),
      );
      await this.audit.write(manager, {
        brandId: created.id,
        operatorId,
        action: 'CREATE_BRAND',
        resource: 'brand',
        resourceId: created.id,
        after: snapshot(created),
      });
      return created;
    });
    await this.events.publish(BRAND_CATALOG_CHANGED, {
      action: 'created',
      brand_id: brand.id,
      brand_code: brand.brandCode,
      status: brand.status,
    });
    return brandView(brand);
  }

  async list(): Promise<BrandView[]> {
    const brands = await this.db.dataSource.getRepository(Brand).find({ order: { id: 'ASC' } });
    return brands.map(brandView);
  }

  async get(id: number): Promise<BrandView> {
    return brandView(await this.find(this.db.dataSource.manager, id));
  }

  async find(manager: EntityManager, id: number, lock = false): Promise<Brand> {
    const brand = await manager
      .getRepository(Brand)
      .findOne({ where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!brand) throw new NotFoundError('brand not found');
    return brand;
  }

  async update(
    operatorId: number,
    id: number,
    patch: { name?: string; default_currency?: string; status?: EnabledStatus },
  ): Promise<BrandView> {
    const brand = await this.db.transaction(async (manager) => {
      const current = await this.find(manager, id, true);
      const before = snapshot(current);
      if (patch.name !== undefined) current.name = patch.name.trim();
      if (patch.default_currency !== undefined)
        current.defaultCurrency = patch.default_currency.trim().toUpperCase();
      if (patch.status !== undefined) current.status = patch.status;
      const saved = await manager.getRepository(Brand).save(current);
      const action =
        patch.status === undefined
          ? 'UPDATE_BRAND'
          : patch.status === 'enabled'
            ? 'ENABLE_BRAND'
            : 'DISABLE_BRAND';
      await this.audit.write(manager, {
        brandId: id,
        operatorId,
        action,
        resource: 'brand',
        resourceId: id,
        before,
        after: snapshot(saved),
      });
      return saved;
    });
    const action =
      patch.status === undefined ? 'updated' : patch.status === 'enabled' ? 'enabled' : 'disabled';
    await this.events.publish(BRAND_CATALOG_CHANGED, {
      action,
      brand_id: brand.id,
      brand_code: brand.brandCode,
      status: brand.status,
    });
    return brandView(brand);
  }
}
