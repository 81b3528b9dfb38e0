/**
 * Boot guard of issue #8: an app's database connection must not be able to
 * bypass row-level security (superuser, BYPASSRLS, or owner of a table).
 * DatabaseModule runs it when it opens the pool.
 */
import { BootGuardError } from '@app/config';

/** A boot guard on DATABASE_URL: the apps print it as `refusing to start: DATABASE_URL: …`. */
export class UnsafeAppRoleError extends BootGuardError {
  constructor(
    readonly role: string,
    readonly problems: string[],
  ) {
    super(
      'DATABASE_URL',
      `refusing to serve as database role "${role}": ${problems.join('; ')}. ` +
        'DATABASE_URL must use the app role (no SUPERUSER, no BYPASSRLS, owns no table) so row-level security applies; ' +
        'see docs/runbooks/database-roles.md',
    );
    this.name = 'UnsafeAppRoleError';
  }
}

export interface RoleFacts {
  role: string;
  superuser: boolean;
  bypassRls: boolean;
  ownedTables: number;
}

export async function readRoleFacts(executor: {
  query(text: string, params?: unknown[]): Promise<unknown>;
}): Promise<RoleFacts> {
  const rows = (await executor.query(
    `SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
            (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid AND c.relkind IN ('r', 'p')
               AND c.relnamespace = 'public'::regnamespace)::int AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
  )) as { role: string; superuser: boolean; bypass_rls: boolean; owned: number }[];
  const row = rows[0];
  if (!row) throw new Error('current_user has no pg_roles row');
  return { role: row.role, superuser: row.superuser, bypassRls: row.bypass_rls, ownedTables: row.owned };
}

/** Boot guard: throws UnsafeAppRoleError when the connection could bypass row-level security. */
export async function assertAppRole(executor: {
  query(text: string, params?: unknown[]): Promise<unknown>;
}): Promise<RoleFacts> {
  const facts = await readRoleFacts(executor);
  const problems: string[] = [];
  if (facts.superuser) problems.push('it is a superuser');
  if (facts.bypassRls) problems.push('it has BYPASSRLS');
  if (facts.ownedTables > 0) problems.push(`it owns ${facts.ownedTables} table(s)`);
  if (problems.length > 0) throw new UnsafeAppRoleError(facts.role, problems);
  return facts;
}
