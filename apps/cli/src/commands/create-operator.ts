/**
 * `create-operator --account <a> --password <p>` (CONTRACTS §10, ADR-009
 * "Staff is removed"): creates an admin operator, or resets its password and
 * re-enables it when the account exists. It prints the operator id and never
 * the password. The password is hashed with PASSWORD_SALT, the pepper admin
 * verifies logins with; ADMIN_OPERATOR_PASSWORD may replace --password so the
 * secret stays out of the process list.
 */
import { PasswordHasher } from '@app/auth';
import { createDataSource } from '@app/database';
import { createOrResetOperator, OperatorInputError } from '../../../admin/src/auth/operators';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../command';
import { databaseName, databaseUrl } from './database-url';
import { routeLibraryLogs } from './ops-logger';

export const createOperator: Command = {
  summary: 'create an admin operator, or reset its password (prints the id, never the password)',
  usage:
    'create-operator --account <account> --password <password>\n' +
    '  Reads DATABASE_URL and PASSWORD_SALT (the pepper admin verifies with).\n' +
    '  ADMIN_OPERATOR_PASSWORD may be set instead of --password.',
  async run({ args, env, out, err }) {
    const flags = parseFlags(args, ['account', 'password']);
    const account = typeof flags.account === 'string' ? flags.account.trim() : '';
    const password = typeof flags.password === 'string' ? flags.password : env.ADMIN_OPERATOR_PASSWORD;
    if (!account) throw new UsageError('--account is required');
    if (!password) throw new UsageError('--password (or ADMIN_OPERATOR_PASSWORD) is required');
    routeLibraryLogs(err);
    const url = databaseUrl(env);
    const hasher = new PasswordHasher({ pepper: env.PASSWORD_SALT ?? '' });
    const ds = createDataSource({ url, poolSize: 1, applicationName: 'create-operator' });
    await ds.initialize();
    try {
      const { id, created } = await createOrResetOperator(ds, hasher, account, password);
      out(`operator ${account} ${created ? 'created' : 'password reset'} in database ${databaseName(url)}`);
      out(`operator_id=${id}`);
      return 0;
    } catch (e) {
      if (e instanceof OperatorInputError) throw new UsageError(e.message);
      throw e;
    } finally {
      await ds.destroy();
    }
  },
};
