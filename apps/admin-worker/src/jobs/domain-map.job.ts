/**
 * Projection rebuild (CONTRACTS §4: PostgreSQL is the source of truth for
 * the domain maps and the provider allow list; Redis holds projections "an
 * operator command and the admin worker" rebuild). Each tick it runs the two
 * rebuilds of @app/domain-maps that `rebuild-domain-maps` runs too:
 *   - the domain maps, read for every brand in one snapshot under the admin
 *     domain lock, held until Redis matches (drifted keys rewritten, keys of
 *     removed domains deleted, so a removed domain stops resolving to its
 *     old brand);
 *   - `brand:provider_allowlist:{brand_id}`, rebuilt from
 *     brand_provider_config exactly as admin writes it, with the snapshots
 *     of brands without rows or without a brand row deleted.
 * Both read every brand at once (one snapshot), so there is no per-brand
 * loop; they run in separate job transactions (with the job timeouts), and
 * one failing does not skip the other: the run fails after both were tried.
 * The job keeps its name `domain_map` for /health, metrics and the cron.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { rebuildDomainMaps, rebuildProviderAllowlists } from '@app/domain-maps';
import { REDIS } from '@app/redis';
import type { AdminJob, JobSummary } from './job';
import { JobTransactions } from './job-transactions';

@Injectable()
export class DomainMapJob implements AdminJob {
  readonly name = 'domain_map';
  private readonly logger = new Logger('AdminWorkerJobs');

  constructor(
    private readonly transactions: JobTransactions,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async run(_now: Date): Promise<JobSummary> {
    const failures: string[] = [];
    const attempt = async <R>(projection: string, rebuild: () => Promise<R>): Promise<R | null> => {
      try {
        return await rebuild();
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        this.logger.warn({ job: this.name, projection, err: error }, 'projection rebuild failed');
        failures.push(`${projection}: ${error}`);
        return null;
      }
    };
    const domains = await attempt('domain maps', () =>
      this.transactions.global((manager) => rebuildDomainMaps(manager, this.redis)),
    );
    const allowlists = await attempt('provider allow lists', () =>
      this.transactions.global((manager) => rebuildProviderAllowlists(manager, this.redis)),
    );
    if (failures.length > 0) throw new Error(`${this.name} failed (${failures.join('; ')})`);
    return {
      agent_domains: domains?.agent_domains,
      level_domains: domains?.level_domains,
      written: domains?.written_keys,
      removed: domains?.removed_keys,
      provider_allowlists: allowlists,
    };
  }
}
