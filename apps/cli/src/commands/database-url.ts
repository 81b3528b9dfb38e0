/**
 * DATABASE_URL for the commands, with the same default as every app
 * (CONTRACTS §1: defaults point at PostgreSQL on 127.0.0.1). Only the
 * database name is ever printed: the URL may carry a password.
 */
import { DatabaseConfig } from '@app/config';
import { splitDatabaseUrl } from '@app/database';
import type { Env } from '../command';

export function databaseUrl(env: Env): string {
  const value = env.DATABASE_URL?.trim();
  return value ? value : new DatabaseConfig().DATABASE_URL;
}

export function databaseName(url: string): string {
  return splitDatabaseUrl(url).database;
}
