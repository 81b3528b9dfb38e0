/**
 * Domain-map reconciliation (CONTRACTS §4: PostgreSQL is the source of truth
 * for the domain maps; "the admin worker rebuilds them"). Brand by brand it
 * reads agent_domain and level_domain and makes Redis match:
 * `domain:agent:{host}` = {"agent_id","brand_id"}, `domain:level:{host}` =
 * {"level","brand_id"}; keys whose value drifted are rewritten and keys whose
 * domain has no row any more are deleted, so a removed domain stops
 * resolving to its old brand. Values are only written when they differ.
 */
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { agentDomainKey, levelDomainKey } from '@app/brand-context';
import { agentDomainValue, applyDomainMaps, levelDomainValue } from '@app/domain-maps';
import { Database } from '@app/database';
import { REDIS } from '@app/redis';
import { BrandCatalog } from './brand-catalog';
import type { AdminJob, BrandResult, JobSummary } from './job';

@Injectable()
export class DomainMapJob implements AdminJob {
  readonly name = 'domain_map';

  constructor(
    private readonly db: Database,
    private readonly brands: BrandCatalog,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async run(_now: Date): Promise<JobSummary> {
    const desired = new Map<string, string>();
    const perBrand: BrandResult[] = [];
    for (const brand of await this.brands.all()) {
      const { agents, levels } = await this.db.brandTransaction(brand.id, async (tx) => ({
        agents: (
          await tx.sql<{ domain: string; agent_id: string }>(
            `SELECT domain, agent_id FROM agent_domain WHERE brand_id = $1`,
          )
        ).rows,
        levels: (
          await tx.sql<{ domain: string; level: number }>(
            `SELECT domain, level FROM level_domain WHERE brand_id = $1`,
          )
        ).rows,
      }));
      for (const a of agents)
        desired.set(agentDomainKey(a.domain), agentDomainValue(Number(a.agent_id), brand.id));
      for (const l of levels)
        desired.set(levelDomainKey(l.domain), levelDomainValue(Number(l.level), brand.id));
      perBrand.push({ brand_id: brand.id, agent_domains: agents.length, level_domains: levels.length });
    }

    const { written, removed } = await applyDomainMaps(this.redis, desired);
    return { brands: perBrand, written, removed };
  }
}
