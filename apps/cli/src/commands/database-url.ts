/**
 * Database URLs for the commands, with the same defaults as the config
 * classes (CONTRACTS §1: defaults point at PostgreSQL on 127.0.0.1). Issue
 * #8 splits them by role: DATABASE_URL is the app role (row-level security
 * applies), MIGRATION_DATABASE_URL the table owner (migrations and data
 * fixes), DATABASE_SUPERUSER_URL a superuser for `db:setup` only. Only the
 * database name is ever printed: a URL may carry a password.
 */
import { DatabaseToolConfig } from '@app/config';
import { splitDatabaseUrl } from '@app/database';
import type { Env } from '../command';

const DEFAULTS = new DatabaseToolConfig();

function pick(env: Env, name: 'DATABASE_URL' | 'MIGRATION_DATABASE_URL' | 'DATABASE_SUPERUSER_URL'): string {
  const value = env[name]?.trim();
  return value ? value : DEFAULTS[name];
}

/** The app role's URL. */
export function databaseUrl(env: Env): string {
  return pick(env, 'DATABASE_URL');
}

/** The table owner's URL. */
export function migrationDatabaseUrl(env: Env): string {
  return pick(env, 'MIGRATION_DATABASE_URL');
}

export function superuserDatabaseUrl(env: Env): string {
  return pick(env, 'DATABASE_SUPERUSER_URL');
}

export function databaseName(url: string): string {
  return splitDatabaseUrl(url).database;
}
