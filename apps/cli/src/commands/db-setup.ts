/**
 * `db:setup`: creates (or corrects) the two roles of issue #8 and the
 * database, owned by the owner role; objects of an existing schema move to
 * the owner (a database migrated before the roles existed). Needs a superuser once per server:
 * DATABASE_SUPERUSER_URL. Idempotent; prints role and database names only.
 */
import { setupRoles } from '@app/database';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseUrl, migrationDatabaseUrl, superuserDatabaseUrl } from './database-url';

export const dbSetup: Command = {
  summary: 'create the owner and app roles and the database (needs a superuser)',
  usage:
    'db:setup\n  Reads DATABASE_SUPERUSER_URL, MIGRATION_DATABASE_URL (owner role) and DATABASE_URL (app role).\n' +
    '  The owner gets BYPASSRLS and owns the schema; the app role gets neither SUPERUSER nor BYPASSRLS.\n' +
    '  Safe to run again: existing roles are corrected to these attributes.',
  async run({ args, env, out }) {
    parseFlags(args, []);
    const report = await setupRoles({
      superuserUrl: superuserDatabaseUrl(env),
      ownerUrl: migrationDatabaseUrl(env),
      appUrl: databaseUrl(env),
    });
    out(
      `owner role ${report.ownerRole}${report.createdRoles.includes(report.ownerRole) ? ' (created)' : ''}`,
    );
    out(`app role ${report.appRole}${report.createdRoles.includes(report.appRole) ? ' (created)' : ''}`);
    out(`database ${report.database}${report.createdDatabase ? ' (created)' : ' (exists)'}`);
    if (report.adoptedObjects > 0)
      out(`${report.adoptedObjects} existing object(s) now owned by ${report.ownerRole}`);
    return 0;
  },
};
