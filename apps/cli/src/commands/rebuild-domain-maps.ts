/**
 * `rebuild-domain-maps` (CONTRACTS §4: PostgreSQL is the source of truth for
 * the domain maps, Redis holds a projection an operator can rebuild at any
 * time): rewrites every `domain:agent:{host}` and `domain:level:{host}` key
 * from agent_domain and level_domain and deletes keys whose domain has no
 * row. Reading every brand's domains is the command's stated cross-brand,
 * non-money projection.
 */
import { createDataSource } from '@app/database';
import { createRedis } from '@app/redis';
import { rebuildDomainMaps } from '@app/domain-maps';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, databaseUrl } from './database-url';
import { routeLibraryLogs } from './ops-logger';

export const rebuildDomainMapsCommand: Command = {
  summary: 'rebuild the Redis domain maps (domain:agent:*, domain:level:*) from PostgreSQL',
  usage:
    'rebuild-domain-maps\n' +
    '  Reads DATABASE_URL and REDIS_URL. Writes every mapped domain and removes stale keys.\n' +
    '  Safe to run at any time.',
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
      return 0;
    } finally {
      redis.disconnect();
      await ds.destroy();
    }
  },
};
