/**
 * Providers and the per-brand allow list (seed 004, ADR-009). Providers are
 * global (credentials are not per brand); brand_provider_config is the
 * brand's allow list. A brand with no rows inherits every globally visible
 * provider. The first single-provider PATCH on such a brand materializes the
 * current visible set before applying the edit, so the brand stops inheriting
 * future additions until the policy is cleared or replaced.
 * Redis `brand:provider_allowlist:{brand_id}` holds the CONFIGURED enabled ids
 * (a JSON array; no key = the brand inherits), for gateway prechecks; read
 * APIs return EFFECTIVE ids, which also require provider.is_show. The Redis
 * snapshot is written before the transaction commits, so a Redis failure
 * rolls the write back (status 7) instead of leaving a stale snapshot; a
 * commit failing after it leaves at most a snapshot the rebuild corrects
 * (`rebuildProviderAllowlists` in @app/domain-maps, run by the admin
 * worker's domain_map job and `rebuild-domain-maps`; it computes the value
 * with the same `allowlistSnapshot`). Every allow-list write locks its
 * brand row first: that serializes the first-PATCH materialization and
 * keeps the rebuild from reading between a write and its commit.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { REDIS } from '@app/redis';
import { ConflictError, DownstreamUnavailableError, InvalidInputError, NotFoundError } from '@app/http';
import { type BrandId, type BrandTx, Database, Provider } from '@app/database';
import { allowlistSnapshot, writeAllowlistSnapshot } from '@app/domain-maps';
import { AdminAuditService } from '../common/admin-audit.service';
import { AdminEvents, BRAND_PROVIDER_CHANGED } from '../common/events';

export interface ProviderView {
  id: number;
  code: string;
  name: string;
  is_show: boolean;
}

export interface BrandProvidersView {
  brand_id: number;
  inherits_global: boolean;
  configured: Array<{ provider_id: number; enabled: boolean }>;
  effective_provider_ids: number[];
}

const view = (p: Provider): ProviderView => ({ id: p.id, code: p.code, name: p.name, is_show: p.isShow });
/** Audit blobs refuse a key named `code` (OTP rule), so the provider code is stored as provider_code. */
const auditView = (p: Provider) => ({ provider_code: p.code, name: p.name, is_show: p.isShow });

@Injectable()
export class ProvidersService {
  private readonly logger = new Logger('Providers');

  constructor(
    private readonly db: Database,
    private readonly audit: AdminAuditService,
    private readonly events: AdminEvents,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async create(
    operatorId: number,
    input: { code: string; name: string; is_show?: boolean },
  ): Promise<ProviderView> {
    return this.db.transaction(async (manager) => {
      const repo = manager.getRepository(Provider);
      if (await repo.exists({ where: { code: input.code } }))
        throw new ConflictError('provider code already exists');
      const provider = await repo.save(
        repo.create({ code: input.code, name: input.name, isShow: input.is_show ?? true }),
      );
      await this.audit.write(manager, {
        brandId: 0,
        operatorId,
        action: 'CREATE_PROVIDER',
        resource: 'provider',
        resourceId: provider.id,
        after: auditView(provider),
      });
      return view(provider);
    });
  }

  async list(): Promise<ProviderView[]> {
    return (await this.db.dataSource.getRepository(Provider).find({ order: { id: 'ASC' } })).map(view);
  }

  /** Global visibility; effective ids of every brand change, so every brand's caches are told. */
  async update(
    operatorId: number,
    id: number,
    patch: { name?: string; is_show?: boolean },
  ): Promise<ProviderView> {
    const updated = await this.db.transaction(async (manager) => {
      const repo = manager.getRepository(Provider);
      const provider = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!provider) throw new NotFoundError('provider not found');
      const before = auditView(provider);
      if (patch.name !== undefined) provider.name = patch.name;
      if (patch.is_show !== undefined) provider.isShow = patch.is_show;
      const saved = await repo.save(provider);
      await this.audit.write(manager, {
        brandId: 0,
        operatorId,
        action: 'UPDATE_PROVIDER',
        resource: 'provider',
        resourceId: id,
        before,
        after: auditView(saved),
      });
      return saved;
    });
    await this.events.publish(BRAND_PROVIDER_CHANGED, {
      scope: 'global',
      provider_id: id,
      is_show: updated.isShow,
    });
    return view(updated);
  }

  async brandProviders(brandId: BrandId): Promise<BrandProvidersView> {
    await this.assertBrand(this.db.dataSource.manager, brandId);
    return this.db.brandTransaction(brandId, (tx) => this.viewIn(tx));
  }

  /** PATCH /brands/{brand_id}/providers/{provider_id}. */
  async setEnabled(
    operatorId: number,
    brandId: BrandId,
    providerId: number,
    enabled: boolean,
  ): Promise<BrandProvidersView> {
    const result = await this.db.brandTransaction(brandId, async (tx) => {
      await this.assertBrand(tx.manager, brandId, true);
      const provider = await tx.manager.getRepository(Provider).findOne({ where: { id: providerId } });
      if (!provider) throw new NotFoundError('provider not found');
      const rows = await this.configured(tx);
      let materialized = 0;
      if (rows.length === 0) {
        const inserted = await tx.sql(
          `INSERT INTO brand_provider_config (brand_id, provider_id, enabled, updated_by)
           SELECT $1, id, true, $2 FROM provider WHERE is_show ORDER BY id`,
          [String(operatorId)],
        );
        materialized = inserted.rowCount;
      }
      const before = rows.find((r) => r.provider_id === providerId)?.enabled ?? null;
      await tx.sql(
        `INSERT INTO brand_provider_config (brand_id, provider_id, enabled, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (brand_id, provider_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [providerId, enabled, String(operatorId)],
      );
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'SET_BRAND_PROVIDER',
        resource: 'brand_provider_config',
        resourceId: providerId,
        before: { enabled: before },
        after: { enabled },
        payload: { materialized },
      });
      return this.refreshSnapshot(tx);
    });
    await this.events.publish(BRAND_PROVIDER_CHANGED, {
      brand_id: brandId,
      provider_ids: result.configuredIds,
    });
    return result.view;
  }

  /** Replaces the brand's allow list with exactly `providerIds` (config import / PUT provider_allowlist). */
  async replaceIn(tx: BrandTx, operatorId: number, providerIds: number[]): Promise<number[]> {
    await this.assertBrand(tx.manager, tx.brandId, true);
    await this.assertProvidersExist(tx.manager, providerIds);
    const before = (await this.configured(tx)).filter((r) => r.enabled).map((r) => r.provider_id);
    await tx.sql(`DELETE FROM brand_provider_config WHERE brand_id = $1`);
    // Every provider gets a row, so an empty list means "none allowed", not "inherit the global set".
    await tx.sql(
      `INSERT INTO brand_provider_config (brand_id, provider_id, enabled, updated_by)
       SELECT $1, id, id = ANY($3::int[]), $2 FROM provider ORDER BY id`,
      [String(operatorId), providerIds],
    );
    await this.audit.write(tx.manager, {
      brandId: tx.brandId,
      operatorId,
      action: 'REPLACE_BRAND_PROVIDERS',
      resource: 'brand_provider_config',
      before: { provider_ids: before },
      after: { provider_ids: providerIds },
    });
    return (await this.refreshSnapshot(tx)).configuredIds ?? [];
  }

  /** DELETE /brands/{brand_id}/providers: back to inheriting the global visible set. */
  async clear(operatorId: number, brandId: BrandId): Promise<BrandProvidersView> {
    const result = await this.db.brandTransaction(brandId, async (tx) => {
      await this.assertBrand(tx.manager, brandId, true);
      const before = (await this.configured(tx)).filter((r) => r.enabled).map((r) => r.provider_id);
      await tx.sql(`DELETE FROM brand_provider_config WHERE brand_id = $1`);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'CLEAR_BRAND_PROVIDERS',
        resource: 'brand_provider_config',
        before: { provider_ids: before },
        after: null,
      });
      return this.refreshSnapshot(tx);
    });
    await this.events.publish(BRAND_PROVIDER_CHANGED, { brand_id: brandId, provider_ids: null });
    return result.view;
  }

  async assertProvidersExist(manager: EntityManager, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const found: Array<{ id: number }> = await manager.query(
      `SELECT id FROM provider WHERE id = ANY($1::int[])`,
      [ids],
    );
    const known = new Set(found.map((r) => Number(r.id)));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0)
      throw new InvalidInputError('unknown provider ids', {
        provider_allowlist: [`unknown provider ids: ${missing.join(', ')}`],
      });
  }

  async assertBrand(manager: EntityManager, brandId: number, lock = false): Promise<void> {
    // Locking the brand row serializes the first-PATCH materialization of one brand.
    const rows: unknown[] = await manager.query(
      `SELECT id FROM brand WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [brandId],
    );
    if (rows.length === 0) throw new NotFoundError('brand not found');
  }

  private async configured(tx: BrandTx): Promise<Array<{ provider_id: number; enabled: boolean }>> {
    const rows = await tx.sql<{ provider_id: number; enabled: boolean }>(
      `SELECT provider_id, enabled FROM brand_provider_config WHERE brand_id = $1 ORDER BY provider_id`,
    );
    return rows.rows.map((r) => ({ provider_id: Number(r.provider_id), enabled: r.enabled }));
  }

  private async viewIn(tx: BrandTx): Promise<BrandProvidersView> {
    const configured = await this.configured(tx);
    const visible: Array<{ id: number }> = await tx.manager.query(
      `SELECT id FROM provider WHERE is_show ORDER BY id`,
    );
    const visibleIds = visible.map((r) => Number(r.id));
    const enabled = new Set(configured.filter((r) => r.enabled).map((r) => r.provider_id));
    return {
      brand_id: tx.brandId,
      inherits_global: configured.length === 0,
      configured,
      effective_provider_ids:
        configured.length === 0 ? visibleIds : visibleIds.filter((id) => enabled.has(id)),
    };
  }

  /** Writes the Redis snapshot from the rows of this (uncommitted) transaction. */
  private async refreshSnapshot(
    tx: BrandTx,
  ): Promise<{ view: BrandProvidersView; configuredIds: number[] | null }> {
    const result = await this.viewIn(tx);
    const configuredIds = allowlistSnapshot(result.configured);
    try {
      await writeAllowlistSnapshot(this.redis, tx.brandId, configuredIds);
    } catch (err) {
      this.logger.error(
        { brand_id: tx.brandId, err: err instanceof Error ? err.message : String(err) },
        'provider allow-list snapshot write failed',
      );
      throw new DownstreamUnavailableError('redis unavailable');
    }
    return { view: result, configuredIds };
  }
}
