/**
 * brand_config reads and writes (seed 004, ADR-009 "per-brand configuration
 * writes are audited (timestamp, payload, prior value)"). Each key write
 * upserts brand_config and appends brand_config_audit with the prior and new
 * value in the same transaction; writers of one key are serialized by a
 * transaction-scoped advisory lock, which also covers a key with no row yet.
 * The provider allow list key is stored in brand_provider_config. Imports are
 * all-or-nothing: every key is validated before the first write, and a dry
 * run returns the normalized payload without opening a write transaction.
 * Seed 004 "the payment_policy object wins over legacy scalar compatibility
 * keys": an import whose legacy scalars come without a payment_policy folds
 * them into the stored policy under its lock, filling only the fields that
 * policy lacks, and validates the merged result.
 */
import { Injectable } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '@app/http';
import { type BrandId, type BrandTx, Database } from '@app/database';
import { requestId } from '../common/request-context';
import { AdminEvents, BRAND_PROVIDER_CHANGED } from '../common/events';
import { ProvidersService } from '../providers/providers.service';
import {
  ConfigValidationError,
  type FoldedPayment,
  foldLegacyPayment,
  normalizeConfigValue,
  normalizeImport,
  PROVIDER_ALLOWLIST_KEY,
  type NormalizedImport,
} from './config-schema';

const PAYMENT_POLICY_KEY = 'payment_policy';

export interface ConfigEntryView {
  key: string;
  value: unknown;
  updated_by: string | null;
  updated_at: string | null;
}

function rethrow(err: unknown): never {
  if (err instanceof ConfigValidationError) throw new InvalidInputError('invalid brand config', err.fields);
  throw err;
}

function foldPayment(legacy: Record<string, unknown>, stored: unknown): FoldedPayment {
  try {
    return foldLegacyPayment(stored, legacy);
  } catch (err) {
    rethrow(err);
  }
}

@Injectable()
export class BrandConfigService {
  constructor(
    private readonly db: Database,
    private readonly providers: ProvidersService,
    private readonly events: AdminEvents,
  ) {}

  async list(brandId: BrandId): Promise<ConfigEntryView[]> {
    await this.providers.assertBrand(this.db.dataSource.manager, brandId);
    return this.db.brandTransaction(brandId, async (tx) => {
      const rows = await tx.sql<{ key: string; value: unknown; updated_by: string | null; updated_at: Date }>(
        `SELECT key, value, updated_by, updated_at FROM brand_config WHERE brand_id = $1 ORDER BY key`,
      );
      return rows.rows.map((r) => ({
        key: r.key,
        value: r.value,
        updated_by: r.updated_by,
        updated_at: r.updated_at.toISOString(),
      }));
    });
  }

  async get(brandId: BrandId, key: string): Promise<ConfigEntryView> {
    await this.providers.assertBrand(this.db.dataSource.manager, brandId);
    if (key === PROVIDER_ALLOWLIST_KEY) {
      const view = await this.providers.brandProviders(brandId);
      const value = view.inherits_global
        ? null
        : view.configured.filter((r) => r.enabled).map((r) => r.provider_id);
      return { key, value, updated_by: null, updated_at: null };
    }
    const entry = await this.db.brandTransaction(brandId, (tx) => this.current(tx, key));
    if (!entry) throw new NotFoundError('config key not set for this brand');
    return entry;
  }

  async history(brandId: BrandId, key: string): Promise<Record<string, unknown>[]> {
    await this.providers.assertBrand(this.db.dataSource.manager, brandId);
    return this.db.brandTransaction(brandId, async (tx) => {
      const rows = await tx.sql(
        `SELECT id, key, prior_value, new_value, operator_id, request_id, created_at FROM brand_config_audit
         WHERE brand_id = $1 AND key = $2 ORDER BY id DESC LIMIT 100`,
        [key],
      );
      return rows.rows.map((r) => ({ ...r, id: Number(r.id) }));
    });
  }

  async put(
    operatorId: number,
    brandId: BrandId,
    key: string,
    raw: unknown,
  ): Promise<ConfigEntryView & { warnings: string[] }> {
    let normalized: { value: unknown; warnings: string[] };
    try {
      normalized = normalizeConfigValue(key, raw);
    } catch (err) {
      rethrow(err);
    }
    await this.providers.assertBrand(this.db.dataSource.manager, brandId);
    if (key === PROVIDER_ALLOWLIST_KEY) {
      const ids = await this.db.brandTransaction(brandId, (tx) =>
        this.providers.replaceIn(tx, operatorId, normalized.value as number[]),
      );
      await this.events.publish(BRAND_PROVIDER_CHANGED, { brand_id: brandId, provider_ids: ids });
      return {
        key,
        value: ids,
        updated_by: String(operatorId),
        updated_at: new Date().toISOString(),
        warnings: normalized.warnings,
      };
    }
    const entry = await this.db.brandTransaction(brandId, (tx) =>
      this.write(tx, operatorId, key, normalized.value),
    );
    return { ...entry, warnings: normalized.warnings };
  }

  async import(
    operatorId: number,
    brandId: BrandId,
    body: unknown,
    dryRun: boolean,
  ): Promise<Record<string, unknown>> {
    let plan: NormalizedImport;
    try {
      plan = normalizeImport(body);
    } catch (err) {
      rethrow(err);
    }
    await this.providers.assertBrand(this.db.dataSource.manager, brandId);
    if (plan.providerAllowlist)
      await this.providers.assertProvidersExist(this.db.dataSource.manager, plan.providerAllowlist);
    const legacy = plan.legacyPayment;
    if (dryRun) {
      const payment = legacy
        ? await this.db.brandTransaction(brandId, async (tx) =>
            foldPayment(legacy, (await this.current(tx, PAYMENT_POLICY_KEY))?.value),
          )
        : null;
      return this.report(brandId, plan, payment, true);
    }

    // Keys in one order, so two imports touching the same keys cannot deadlock on their locks.
    const keys = Object.keys(plan.config);
    if (legacy) keys.push(PAYMENT_POLICY_KEY);
    keys.sort();
    const { written, payment } = await this.db.brandTransaction(brandId, async (tx) => {
      const done: string[] = [];
      let folded: FoldedPayment | null = null;
      for (const key of keys) {
        if (key === PAYMENT_POLICY_KEY && legacy) {
          const prior = await this.locked(tx, key);
          folded = foldPayment(legacy, prior?.value);
          // Every scalar lost to the stored policy: nothing changes, no audit row.
          if (folded.filled.length === 0) continue;
          await this.write(tx, operatorId, key, folded.policy, prior);
        } else {
          await this.write(tx, operatorId, key, plan.config[key]);
        }
        done.push(key);
      }
      if (plan.providerAllowlist) {
        await this.providers.replaceIn(tx, operatorId, plan.providerAllowlist);
        done.push(PROVIDER_ALLOWLIST_KEY);
      }
      return { written: done, payment: folded };
    });
    if (plan.providerAllowlist)
      await this.events.publish(BRAND_PROVIDER_CHANGED, {
        brand_id: brandId,
        provider_ids: plan.providerAllowlist,
      });
    return { ...this.report(brandId, plan, payment, false), written_keys: written };
  }

  /** The import report; `payment` is the stored payment_policy with the import's legacy scalars folded in. */
  private report(
    brandId: BrandId,
    plan: NormalizedImport,
    payment: FoldedPayment | null,
    dryRun: boolean,
  ): Record<string, unknown> {
    return {
      brand_id: brandId,
      dry_run: dryRun,
      normalized: {
        config: payment ? { ...plan.config, [PAYMENT_POLICY_KEY]: payment.policy } : plan.config,
        ...(plan.providerAllowlist ? { [PROVIDER_ALLOWLIST_KEY]: plan.providerAllowlist } : {}),
      },
      folded_legacy_keys: plan.foldedLegacyKeys,
      shadowed_legacy_keys: payment ? payment.shadowed : plan.shadowedLegacyKeys,
      unregistered_keys: plan.unregisteredKeys,
      warnings: plan.warnings,
    };
  }

  /** The current entry of `key`, read under the key's write lock (held until the transaction ends). */
  private async locked(tx: BrandTx, key: string): Promise<ConfigEntryView | null> {
    await tx.sql(`SELECT pg_advisory_xact_lock(hashtext('brand_config'), hashtext($1::text || ':' || $2))`, [
      key,
    ]);
    return this.current(tx, key, true);
  }

  private async current(tx: BrandTx, key: string, lock = false): Promise<ConfigEntryView | null> {
    const rows = await tx.sql<{ key: string; value: unknown; updated_by: string | null; updated_at: Date }>(
      `SELECT key, value, updated_by, updated_at FROM brand_config WHERE brand_id = $1 AND key = $2${lock ? ' FOR UPDATE' : ''}`,
      [key],
    );
    const row = rows.rows[0];
    return row
      ? {
          key: row.key,
          value: row.value,
          updated_by: row.updated_by,
          updated_at: row.updated_at.toISOString(),
        }
      : null;
  }

  /** Upserts `key` and appends its audit row; `prior` when the caller already read it via `locked`. */
  private async write(
    tx: BrandTx,
    operatorId: number,
    key: string,
    value: unknown,
    prior?: ConfigEntryView | null,
  ): Promise<ConfigEntryView> {
    if (prior === undefined) prior = await this.locked(tx, key);
    const json = JSON.stringify(value);
    const saved = await tx.sql<{ key: string; value: unknown; updated_by: string; updated_at: Date }>(
      `INSERT INTO brand_config (brand_id, key, value, updated_by) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (brand_id, key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING key, value, updated_by, updated_at`,
      [key, json, String(operatorId)],
    );
    await tx.sql(
      `INSERT INTO brand_config_audit (brand_id, key, prior_value, new_value, operator_id, request_id)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6)`,
      [key, prior ? JSON.stringify(prior.value) : null, json, String(operatorId), requestId()],
    );
    const row = saved.rows[0];
    return {
      key: row.key,
      value: row.value,
      updated_by: row.updated_by,
      updated_at: row.updated_at.toISOString(),
    };
  }
}
