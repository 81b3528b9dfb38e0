/**
 * `rebuild-domain-maps` (CONTRACTS §4: PostgreSQL is the source of truth for
 * the domain maps and the provider allow list, Redis holds projections "an
 * operator command and the admin worker" rebuild at any time): rewrites
 * every `domain:agent:{host}` and `domain:level:{host}` key from
 * agent_domain and level_domain and deletes keys whose domain has no row,
 * then every `brand:provider_allowlist:{brand_id}` snapshot from
 * brand_provider_config, deleting those no brand should have. The same
 * rebuilds as the admin worker's domain_map job (@app/domain-maps). Reading
 * every brand's rows is the command's stated cross-brand, non-money
 * projection. The name stays for the runbooks that call it.
 */
import { createDataSource } from '@app/database';
import { createRedis } from '@app/redis';
import { rebuildDomainMaps, rebuildProviderAllowlists } from '@app/domain-maps';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, databaseUrl } from './database-url';
import { routeLibraryLogs } from './ops-logger';

export const rebuildDomainMapsCommand: Command = {
  summary: 'rebuild the Redis domain maps and provider allow lists from PostgreSQL',
  usage:
    'rebuild-domain-maps\n' +
    '  Reads DATABASE_URL and REDIS_URL. Writes every mapped domain (domain:agent:*, domain:level:*)\n' +
    '  and the provider allow-list snapshot of every configured brand (brand:provider_allowlist:*),\n' +
    '  and removes stale keys. Safe to run at any time.',
  async run({ args, env, out, err }) {
    parseFlags(args, []);
    routeLibraryLogs(err);
    const url = databaseUrl(env);
    const ds = createDataSource({ url, poolSize: 1, applicationName: 'rebuild-domain-maps' });
    const redis = createRedis(env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379', 'rebuild-domain-maps', {
      enableOfflineQueue: true,
    });
    await ds.initialize();
    try {
      await redis.connect();
      const report = await rebuildDomainMaps(ds, redis);
      out(
        `domain maps rebuilt from database ${databaseName(url)}: ${report.agent_domains} agent domains, ` +
          `${report.level_domains} level domains, ${report.removed_keys} stale keys removed`,
      );
      const allowlists = await rebuildProviderAllowlists(ds, redis);
      out(
        `provider allow lists rebuilt: ${allowlists.snapshots} of ${allowlists.brands} brands configured, ` +
          `${allowlists.written_keys} written, ${allowlists.removed_keys} stale keys removed`,
      );
      return 0;
    } finally {
      redis.disconnect();
      await ds.destroy();
    }
  },
};
