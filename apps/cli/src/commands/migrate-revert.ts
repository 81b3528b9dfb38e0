/**
 * `migrate:revert`: reverts the most recent migration (one per call).
 */
import { revertLastMigration } from '@app/database';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, migrationDatabaseUrl } from './database-url';

export const migrateRevert: Command = {
  summary: 'revert the most recent migration',
  usage: 'migrate:revert\n  Reads MIGRATION_DATABASE_URL (the table owner). Reverts one migration per call.',
  async run({ args, env, out }) {
    parseFlags(args, []);
    const url = migrationDatabaseUrl(env);
    const reverted = await revertLastMigration(url);
    out(reverted === null ? `database ${databaseName(url)}: no migration to revert` : `reverted ${reverted}`);
    return 0;
  },
};
