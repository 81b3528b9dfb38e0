/**
 * `migrate`: applies every pending migration as the table owner
 * (MIGRATION_DATABASE_URL), then grants the app role of DATABASE_URL what it
 * needs (CONTRACTS §10: `npm run migrate` is idempotent; issue #8: the apps'
 * role owns nothing). The database must exist: `db:setup` creates it.
 */
import { grantAppRole, roleOf, runMigrations, splitDatabaseUrl } from '@app/database';
import { Client } from 'pg';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, databaseUrl, migrationDatabaseUrl } from './database-url';

export const migrate: Command = {
  summary: 'apply every pending migration as the owner and grant the app role',
  usage:
    'migrate\n  Reads MIGRATION_DATABASE_URL (the table owner) and DATABASE_URL (the app role to grant).\n' +
    '  Safe to run again: applies only what is pending. Run db:setup first on a new server.',
  async run({ args, env, out, err }) {
    parseFlags(args, []);
    const ownerUrl = migrationDatabaseUrl(env);
    const appUrl = databaseUrl(env);
    const name = databaseName(ownerUrl);
    if (splitDatabaseUrl(appUrl).database !== name) {
      err('migrate: MIGRATION_DATABASE_URL and DATABASE_URL name different databases');
      return 1;
    }
    const appRole = roleOf(appUrl);
    if (appRole === roleOf(ownerUrl)) {
      err(
        'migrate: DATABASE_URL must use the app role, not the owner of MIGRATION_DATABASE_URL (see db:setup)',
      );
      return 1;
    }
    let applied: string[];
    try {
      applied = await runMigrations(ownerUrl);
    } catch (e) {
      if ((e as { code?: string }).code === '3D000') {
        err(`migrate: database ${name} does not exist; run db:setup first`);
        return 1;
      }
      throw e;
    }
    for (const migration of applied) out(`applied ${migration}`);
    const owner = new Client({ connectionString: ownerUrl, application_name: 'servers-v2-migrate' });
    await owner.connect();
    try {
      await grantAppRole(owner, appRole);
    } finally {
      await owner.end();
    }
    out(
      applied.length === 0
        ? `database ${name} is up to date`
        : `database ${name}: ${applied.length} migration(s) applied`,
    );
    out(`app role ${appRole}: privileges granted`);
    return 0;
  },
};
