/**
 * `seed-demo`: the idempotent two-brand demo of the README (issue 2): brands
 * `alpha` and `beta`, one agent enabled for both, the domains
 * `alpha.localhost` / `beta.localhost` in PostgreSQL and projected to Redis,
 * two visible providers, and the demo operator. Running it again changes
 * nothing that exists (passwords are only set on creation).
 */
import { PasswordHasher } from '@app/auth';
import { createDataSource, crossBrandSql } from '@app/database';
import { createRedis } from '@app/redis';
import { rebuildDomainMaps } from '@app/domain-maps';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, migrationDatabaseUrl } from './database-url';

export const DEMO = {
  brands: [
    { code: 'alpha', name: 'Alpha Casino', currency: 'KRW', domain: 'alpha.localhost' },
    { code: 'beta', name: 'Beta Games', currency: 'KRW', domain: 'beta.localhost' },
  ],
  agent: { account: 'demo-agent', password: 'demo-agent-pass' },
  operator: { account: 'demo-admin', password: 'demo-admin-pass' },
  providers: [
    { code: 'evolution', name: 'Evolution' },
    { code: 'pragmatic', name: 'Pragmatic Play' },
  ],
};

const REASON = 'demo seed: creates the global catalog rows and two brands';

export const seedDemo: Command = {
  summary: 'seed the idempotent two-brand demo (brands alpha/beta, agent, domains, operator)',
  usage:
    'seed-demo\n  Reads MIGRATION_DATABASE_URL (the table owner), REDIS_URL and PASSWORD_SALT (the pepper the apps use).\n  Safe to run again.',
  async run({ args, env, out }) {
    parseFlags(args, []);
    // a setup/data-fix tool: runs as the table owner (BYPASSRLS), like a migration
    const url = migrationDatabaseUrl(env);
    const hasher = new PasswordHasher({ pepper: env.PASSWORD_SALT ?? '' });
    const ds = createDataSource({ url, poolSize: 2, applicationName: 'seed-demo' });
    const redis = createRedis(env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379', 'seed-demo', { enableOfflineQueue: true });
    await ds.initialize();
    try {
      await ds.transaction(async (m) => {
        const sql = <R>(text: string, params: unknown[] = []) => crossBrandSql<R>(m, REASON, text, params);
        const agentHash = await hasher.hash(DEMO.agent.password);
        const operatorHash = await hasher.hash(DEMO.operator.password);
        await sql(
          `INSERT INTO admin_operator (account, password_hash) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING`,
          [DEMO.operator.account, operatorHash],
        );
        await sql(`INSERT INTO agent (account, password_hash) VALUES ($1, $2) ON CONFLICT (account) DO NOTHING`, [
          DEMO.agent.account,
          agentHash,
        ]);
        const agent = await sql<{ guid: string }>(`SELECT guid FROM agent WHERE account = $1`, [DEMO.agent.account]);
        const agentId = Number(agent.rows[0].guid);
        for (const p of DEMO.providers) {
          await sql(`INSERT INTO provider (code, name) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING`, [p.code, p.name]);
        }
        for (const b of DEMO.brands) {
          await sql(
            `INSERT INTO brand (brand_code, name, default_currency) VALUES ($1, $2, $3) ON CONFLICT (brand_code) DO NOTHING`,
            [b.code, b.name, b.currency],
          );
          const brand = await sql<{ id: number }>(`SELECT id FROM brand WHERE brand_code = $1`, [b.code]);
          const brandId = brand.rows[0].id;
          await sql(
            `INSERT INTO agent_brand (brand_id, agent_id, status) VALUES ($1, $2, 'enabled') ON CONFLICT (agent_id, brand_id) DO NOTHING`,
            [brandId, agentId],
          );
          await sql(
            `INSERT INTO agent_setting (brand_id, agent_id) VALUES ($1, $2) ON CONFLICT (agent_id, brand_id) DO NOTHING`,
            [brandId, agentId],
          );
          await sql(
            `INSERT INTO agent_domain (brand_id, agent_id, domain) VALUES ($1, $2, $3) ON CONFLICT (domain) DO NOTHING`,
            [brandId, agentId, b.domain],
          );
          out(`brand ${b.code} (id ${brandId}) on ${b.domain}`);
        }
      });
      await redis.connect();
      const report = await rebuildDomainMaps(ds, redis);
      out(`domain maps projected to Redis: ${report.agent_domains} agent domains, ${report.level_domains} level domains`);
      out(`agent ${DEMO.agent.account} enabled for alpha and beta; operator ${DEMO.operator.account}`);
      out(`demo ready in database ${databaseName(url)}`);
      return 0;
    } finally {
      redis.disconnect();
      await ds.destroy();
    }
  },
};
