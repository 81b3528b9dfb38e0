/**
 * Jest global setup for the e2e project: rebuilds the migrated template
 * database once per run (drop, create, run every migration) under an
 * exclusive advisory lock, so a concurrent run never clones a half-built
 * template. Runs in plain Node: relative imports only, no @app/* aliases.
 */
import { randomBytes } from 'node:crypto';
import { ALL_MIGRATIONS } from '../../migrations';
import { runMigrations } from '../../libs/database/src/data-source';
import { grantAppRole, setupRoles } from '../../libs/database/src/roles';
import {
  TEMPLATE_DATABASE,
  TEMPLATE_LOCK_KEY,
  TEST_APP_ROLE,
  TEST_OWNER_ROLE,
  baseDatabaseUrl,
  quoteIdent,
  roleUrl,
  withMaintenanceClient,
} from './db';
import { Client } from 'pg';

export default async function globalSetup(): Promise<void> {
  process.env.SERVERS_V2_TEST_RUN_ID = randomBytes(4).toString('hex');
  await withMaintenanceClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DATABASE)} WITH (FORCE)`);
      // Same path as production: roles and database by setupRoles, migrations as the owner, grants to the app role.
      await setupRoles({
        superuserUrl: baseDatabaseUrl(),
        ownerUrl: roleUrl(TEMPLATE_DATABASE, TEST_OWNER_ROLE),
        appUrl: roleUrl(TEMPLATE_DATABASE, TEST_APP_ROLE),
      });
      const ownerUrl = roleUrl(TEMPLATE_DATABASE, TEST_OWNER_ROLE);
      await runMigrations(ownerUrl, ALL_MIGRATIONS);
      const owner = new Client({ connectionString: ownerUrl });
      await owner.connect();
      try {
        await grantAppRole(owner, TEST_APP_ROLE);
      } finally {
        await owner.end();
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
}
