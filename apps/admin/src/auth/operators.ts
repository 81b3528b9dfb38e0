/**
 * Admin operators (CONTRACTS §10, ADR-009 "Staff is removed"): accounts with
 * a password and nothing else, no roles or menus. `createOrResetOperator` is
 * shared by `npm run admin:create-operator` and tests; login verifies in
 * constant work whether or not the account exists.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { PasswordHasher } from '@app/auth';
import { AdminOperator } from '@app/database';

export const OPERATOR_ACCOUNT_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;
export const OPERATOR_PASSWORD_MIN = 8;

export class OperatorInputError extends Error {}

export function validateOperatorInput(account: string, password: string): void {
  if (!OPERATOR_ACCOUNT_PATTERN.test(account)) {
    throw new OperatorInputError('account must be 3-64 characters of letters, digits, . _ @ -');
  }
  if (typeof password !== 'string' || password.length < OPERATOR_PASSWORD_MIN || password.length > 256) {
    throw new OperatorInputError(`password must be ${OPERATOR_PASSWORD_MIN}-256 characters`);
  }
}

/** Creates the operator, or resets its password (and re-enables it) when the account exists. */
export async function createOrResetOperator(
  executor: DataSource | EntityManager,
  hasher: PasswordHasher,
  account: string,
  password: string,
): Promise<{ id: number; created: boolean }> {
  validateOperatorInput(account, password);
  const passwordHash = await hasher.hash(password);
  const rows: Array<{ id: number; created: boolean }> = await executor.query(
    `INSERT INTO admin_operator (account, password_hash, status)
     VALUES ($1, $2, 'enabled')
     ON CONFLICT (account) DO UPDATE SET password_hash = EXCLUDED.password_hash, status = 'enabled', updated_at = now()
     RETURNING id, (xmax = 0) AS created`,
    [account, passwordHash],
  );
  return { id: Number(rows[0].id), created: Boolean(rows[0].created) };
}

export function findOperatorByAccount(
  executor: DataSource | EntityManager,
  account: string,
): Promise<AdminOperator | null> {
  return executor.getRepository(AdminOperator).findOne({ where: { account } });
}
