/**
 * Tag tasks (seed 004 "tag tasks"; ADR-009 retired the legacy tag task's
 * hard-coded `project` switch in favour of the brand). Brand by brand the
 * job derives player segments from PostgreSQL:
 *   - `new`: registered within the last NEW_PLAYER_DAYS days;
 *   - `depositor`: at least one approved deposit;
 *   - `dormant`: registered before, and no successful login within, the
 *     last DORMANT_DAYS days;
 *   - `vip`: level >= brand_config `vip_min_level` (integer 1..99, default
 *     DEFAULT_VIP_MIN_LEVEL).
 * The schema has no player tag column, so the segments are a Redis
 * projection like the domain maps (CONTRACTS §4: Redis holds what can be
 * rebuilt from PostgreSQL): one SET of player ids per brand and tag at
 * `player_tags:{brand_id}:{tag}`, replaced atomically on every run (built
 * under a temporary key, then RENAMEd; an empty segment deletes the key).
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { BrandId, BrandTx } from '@app/database';
import { REDIS } from '@app/redis';
import { BrandCatalog } from './brand-catalog';
import { brandSetting, positiveInt } from './brand-settings';
import type { AdminJob, JobSummary } from './job';
import { JobTransactions } from './job-transactions';
import { forEachBrand } from './per-brand';

export const PLAYER_TAGS = ['new', 'depositor', 'dormant', 'vip'] as const;
export type PlayerTag = (typeof PLAYER_TAGS)[number];
export const NEW_PLAYER_DAYS = 7;
export const DORMANT_DAYS = 30;
export const DEFAULT_VIP_MIN_LEVEL = 4;
export const VIP_MIN_LEVEL_KEY = 'vip_min_level';

export function playerTagKey(brandId: number, tag: PlayerTag): string {
  return `player_tags:${brandId}:${tag}`;
}

const DAY_MS = 86_400_000;
const CHUNK = 1000;

@Injectable()
export class TagJob implements AdminJob {
  readonly name = 'tags';

  constructor(
    private readonly transactions: JobTransactions,
    private readonly brands: BrandCatalog,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async run(now: Date): Promise<JobSummary> {
    return forEachBrand(this.name, await this.brands.all(), async (brand) => {
      const segments = await this.transactions.brand(brand.id, (tx) => this.segments(tx, now));
      const counts: Record<string, number> = {};
      for (const tag of PLAYER_TAGS) {
        await this.replaceSet(brand.id, tag, segments[tag]);
        counts[tag] = segments[tag].length;
      }
      return { brand_id: brand.id, ...counts };
    });
  }

  private async segments(tx: BrandTx, now: Date): Promise<Record<PlayerTag, string[]>> {
    const ids = async (text: string, params: unknown[]) =>
      (await tx.sql<{ id: string }>(text, params)).rows.map((r) => String(r.id));
    const vipLevel = await brandSetting(tx, VIP_MIN_LEVEL_KEY, positiveInt(99), DEFAULT_VIP_MIN_LEVEL);
    const newSince = new Date(now.getTime() - NEW_PLAYER_DAYS * DAY_MS);
    const dormantSince = new Date(now.getTime() - DORMANT_DAYS * DAY_MS);
    return {
      new: await ids(`SELECT id FROM player WHERE brand_id = $1 AND created_at >= $2`, [newSince]),
      depositor: await ids(
        `SELECT DISTINCT player_id AS id FROM player_deposit WHERE brand_id = $1 AND status = 'approved'`,
        [],
      ),
      dormant: await ids(
        `SELECT p.id FROM player p
          WHERE p.brand_id = $1 AND p.created_at < $2
            AND NOT EXISTS (SELECT 1 FROM player_login_log l
                             WHERE l.brand_id = $1 AND l.player_id = p.id AND l.success AND l.created_at >= $2)`,
        [dormantSince],
      ),
      vip: await ids(`SELECT id FROM player WHERE brand_id = $1 AND level >= $2`, [vipLevel]),
    };
  }

  private async replaceSet(brandId: BrandId, tag: PlayerTag, members: string[]): Promise<void> {
    const key = playerTagKey(brandId, tag);
    if (members.length === 0) {
      await this.redis.del(key);
      return;
    }
    const tmp = `${key}:building:${randomUUID()}`;
    try {
      for (let i = 0; i < members.length; i += CHUNK)
        await this.redis.sadd(tmp, ...members.slice(i, i + CHUNK));
      await this.redis.rename(tmp, key);
    } catch (err) {
      await this.redis.del(tmp).catch(() => undefined);
      throw err;
    }
  }
}
