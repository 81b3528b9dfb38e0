/**
 * Jest global setup for the e2e project: rebuilds the migrated template
 * database once per run (drop, create, run every migration) under an
 * exclusive advisory lock, so a concurrent run never clones a half-built
 * template. Runs in plain Node: relative imports only, no @app/* aliases.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../../migrations';
import { TEMPLATE_DATABASE, TEMPLATE_LOCK_KEY, databaseUrl, quoteIdent, withMaintenanceClient } from './db';

export default async function globalSetup(): Promise<void> {
  process.env.SERVERS_V2_TEST_RUN_ID = randomBytes(4).toString('hex');
  await withMaintenanceClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DATABASE)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DATABASE)}`);
      const ds = new DataSource({
        type: 'postgres',
        url: databaseUrl(TEMPLATE_DATABASE),
        poolSize: 1,
        migrations: ALL_MIGRATIONS,
        migrationsTableName: 'migrations',
        logging: false,
      });
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'all' });
      } finally {
        await ds.destroy();
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}
