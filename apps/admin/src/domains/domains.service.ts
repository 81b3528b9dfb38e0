/**
 * agent_domain and level_domain writes with their Redis projections (seed
 * 004, ADR-009 "A domain belongs to exactly one brand and to exactly one
 * agent"). A domain is refused (409, status 8) when it already names an agent
 * or a level domain of any brand; an agent may only get a domain for a brand
 * it is enabled for (status 52). The Redis key is written (or deleted) before
 * the transaction commits: a Redis failure rolls the row back (status 7), and
 * a commit failing after the Redis write leaves only a key the rebuild
 * removes. Every write, removals included, holds DOMAIN_MAP_LOCK (shared
 * with the rebuilds in @app/domain-maps) for its transaction, so a rebuild
 * never projects a snapshot taken around an uncommitted write.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { agentDomainKey, DomainMapResolver, levelDomainKey } from '@app/brand-context';
import {
  BrandNotAllowedError,
  ConflictError,
  DownstreamUnavailableError,
  InvalidInputError,
  NotFoundError,
} from '@app/http';
import { REDIS } from '@app/redis';
import { asBrandId, type BrandId, crossBrandSql, Database } from '@app/database';
import { AdminAuditService } from '../common/admin-audit.service';
import {
  agentDomainValue,
  levelDomainValue,
  lockDomainMaps,
  normalizeDomain,
  rebuildDomainMaps,
  type RebuildReport,
} from '@app/domain-maps';

export interface AgentDomainView {
  id: number;
  agent_id: number;
  brand_id: number;
  domain: string;
}

export interface LevelDomainView {
  id: number;
  brand_id: number;
  level: number;
  domain: string;
}

@Injectable()
export class DomainsService {
  private readonly logger = new Logger('Domains');

  constructor(
    private readonly db: Database,
    private readonly audit: AdminAuditService,
    private readonly resolver: DomainMapResolver,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private domainOrThrow(raw: string): string {
    const domain = normalizeDomain(raw);
    if (!domain) throw new InvalidInputError('invalid input', { domain: ['isFQDN'] });
    return domain;
  }

  private async assertUnused(manager: EntityManager, domain: string): Promise<void> {
    const reason = 'domain uniqueness across brands (a domain belongs to one brand)';
    const agent = await crossBrandSql(manager, reason, `SELECT 1 FROM agent_domain WHERE domain = $1`, [
      domain,
    ]);
    const level = await crossBrandSql(manager, reason, `SELECT 1 FROM level_domain WHERE domain = $1`, [
      domain,
    ]);
    if (agent.rows.length > 0 || level.rows.length > 0) throw new ConflictError('domain already bound');
  }

  private async redisWrite(op: () => Promise<unknown>, context: Record<string, unknown>): Promise<void> {
    try {
      await op();
    } catch (err) {
      this.logger.error(
        { ...context, err: err instanceof Error ? err.message : String(err) },
        'domain map write failed',
      );
      throw new DownstreamUnavailableError('redis unavailable');
    }
  }

  async addAgentDomain(
    operatorId: number,
    agentId: number,
    brandIdRaw: number,
    rawDomain: string,
  ): Promise<AgentDomainView> {
    const domain = this.domainOrThrow(rawDomain);
    const brandId = asBrandId(brandIdRaw);
    const view = await this.db.brandTransaction(brandId, async (tx) => {
      await lockDomainMaps(tx.manager);
      await this.assertAgentAndBrand(tx.manager, agentId, brandId);
      const allowed = await tx.sql<{ status: string }>(
        `SELECT status FROM agent_brand WHERE brand_id = $1 AND agent_id = $2`,
        [agentId],
      );
      if (allowed.rows[0]?.status !== 'enabled')
        throw new BrandNotAllowedError('agent is not enabled for this brand');
      await this.assertUnused(tx.manager, domain);
      const inserted = await tx.sql<{ guid: string }>(
        `INSERT INTO agent_domain (brand_id, agent_id, domain) VALUES ($1, $2, $3) RETURNING guid`,
        [agentId, domain],
      );
      const row: AgentDomainView = {
        id: Number(inserted.rows[0].guid),
        agent_id: agentId,
        brand_id: brandId,
        domain,
      };
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'ADD_AGENT_DOMAIN',
        resource: 'agent_domain',
        resourceId: row.id,
        after: row,
      });
      await this.redisWrite(
        () => this.redis.set(agentDomainKey(domain), agentDomainValue(agentId, brandId)),
        { domain, brand_id: brandId },
      );
      return row;
    });
    this.resolver.invalidate();
    return view;
  }

  async listAgentDomains(agentId: number): Promise<AgentDomainView[]> {
    const rows = await crossBrandSql<{ guid: string; agent_id: string; brand_id: number; domain: string }>(
      this.db.dataSource,
      'agent domain list across the brands an agent serves (non-money)',
      `SELECT guid, agent_id, brand_id, domain FROM agent_domain WHERE agent_id = $1 ORDER BY guid`,
      [agentId],
    );
    return rows.rows.map((r) => ({
      id: Number(r.guid),
      agent_id: Number(r.agent_id),
      brand_id: r.brand_id,
      domain: r.domain,
    }));
  }

  async removeAgentDomain(operatorId: number, agentId: number, domainId: number): Promise<AgentDomainView> {
    const found = (await this.listAgentDomains(agentId)).find((d) => d.id === domainId);
    if (!found) throw new NotFoundError('agent domain not found');
    await this.db.brandTransaction(asBrandId(found.brand_id), async (tx) => {
      await lockDomainMaps(tx.manager);
      const deleted = await tx.sql(
        `DELETE FROM agent_domain WHERE brand_id = $1 AND guid = $2 AND agent_id = $3`,
        [domainId, agentId],
      );
      if (deleted.rowCount === 0) throw new NotFoundError('agent domain not found');
      await this.audit.write(tx.manager, {
        brandId: found.brand_id,
        operatorId,
        action: 'REMOVE_AGENT_DOMAIN',
        resource: 'agent_domain',
        resourceId: domainId,
        before: found,
      });
      await this.redisWrite(() => this.redis.del(agentDomainKey(found.domain)), {
        domain: found.domain,
        brand_id: found.brand_id,
      });
    });
    this.resolver.invalidate();
    return found;
  }

  async addLevelDomain(
    operatorId: number,
    brandIdRaw: number,
    level: number,
    rawDomain: string,
  ): Promise<LevelDomainView> {
    const domain = this.domainOrThrow(rawDomain);
    const brandId = asBrandId(brandIdRaw);
    const view = await this.db.brandTransaction(brandId, async (tx) => {
      await lockDomainMaps(tx.manager);
      const brand: unknown[] = await tx.manager.query(`SELECT 1 FROM brand WHERE id = $1`, [brandId]);
      if (brand.length === 0) throw new NotFoundError('brand not found');
      await this.assertUnused(tx.manager, domain);
      const inserted = await tx.sql<{ id: number }>(
        `INSERT INTO level_domain (brand_id, level, domain) VALUES ($1, $2, $3) RETURNING id`,
        [level, domain],
      );
      const row: LevelDomainView = { id: Number(inserted.rows[0].id), brand_id: brandId, level, domain };
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'ADD_LEVEL_DOMAIN',
        resource: 'level_domain',
        resourceId: row.id,
        after: row,
      });
      await this.redisWrite(() => this.redis.set(levelDomainKey(domain), levelDomainValue(level, brandId)), {
        domain,
        brand_id: brandId,
      });
      return row;
    });
    this.resolver.invalidate();
    return view;
  }

  async listLevelDomains(brandId: BrandId): Promise<LevelDomainView[]> {
    return this.db.brandTransaction(brandId, async (tx) => {
      const rows = await tx.sql<{ id: number; brand_id: number; level: number; domain: string }>(
        `SELECT id, brand_id, level, domain FROM level_domain WHERE brand_id = $1 ORDER BY id`,
      );
      return rows.rows.map((r) => ({
        id: Number(r.id),
        brand_id: r.brand_id,
        level: r.level,
        domain: r.domain,
      }));
    });
  }

  async removeLevelDomain(operatorId: number, brandId: BrandId, id: number): Promise<LevelDomainView> {
    const removed = await this.db.brandTransaction(brandId, async (tx) => {
      await lockDomainMaps(tx.manager);
      const rows = await tx.sql<{ id: number; brand_id: number; level: number; domain: string }>(
        `DELETE FROM level_domain WHERE brand_id = $1 AND id = $2 RETURNING id, brand_id, level, domain`,
        [id],
      );
      const row = rows.rows[0];
      if (!row) throw new NotFoundError('level domain not found');
      const found: LevelDomainView = {
        id: Number(row.id),
        brand_id: row.brand_id,
        level: row.level,
        domain: row.domain,
      };
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'REMOVE_LEVEL_DOMAIN',
        resource: 'level_domain',
        resourceId: id,
        before: found,
      });
      await this.redisWrite(() => this.redis.del(levelDomainKey(found.domain)), {
        domain: found.domain,
        brand_id: brandId,
      });
      return found;
    });
    this.resolver.invalidate();
    return removed;
  }

  async rebuild(): Promise<RebuildReport> {
    const report = await rebuildDomainMaps(this.db.dataSource, this.redis);
    this.resolver.invalidate();
    return report;
  }

  private async assertAgentAndBrand(manager: EntityManager, agentId: number, brandId: number): Promise<void> {
    const agent: unknown[] = await manager.query(`SELECT 1 FROM agent WHERE guid = $1`, [agentId]);
    if (agent.length === 0) throw new NotFoundError('agent not found');
    const brand: unknown[] = await manager.query(`SELECT 1 FROM brand WHERE id = $1`, [brandId]);
    if (brand.length === 0) throw new NotFoundError('brand not found');
  }
}
