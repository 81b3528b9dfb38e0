/**
 * `migrate`: creates the database when missing and applies every pending
 * migration (CONTRACTS §10: `npm run migrate` is idempotent).
 */
import { ensureDatabase, runMigrations } from '@app/database';
import type { Command } from '../command';
import { parseFlags } from '../command';
import { databaseName, databaseUrl } from './database-url';

export const migrate: Command = {
  summary: 'create the database if missing and apply every pending migration',
  usage: 'migrate\n  Reads DATABASE_URL. Safe to run again: applies only what is pending.',
  async run({ args, env, out }) {
    parseFlags(args, []);
    const url = databaseUrl(env);
    const name = databaseName(url);
    if (await ensureDatabase(url)) out(`created database ${name}`);
    const applied = await runMigrations(url);
    for (const migration of applied) out(`applied ${migration}`);
    out(
      applied.length === 0
        ? `database ${name} is up to date`
        : `database ${name}: ${applied.length} migration(s) applied`,
    );
    return 0;
  },
};
