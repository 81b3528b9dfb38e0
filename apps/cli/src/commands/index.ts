/**
 * Every CLI command by name. To add one: a file in this folder exporting a
 * `Command`, and one line here.
 */
import type { Command } from '../command';
import { migrate } from './migrate';
import { migrateRevert } from './migrate-revert';
import { releaseGateCommand } from './release-gate';

export const COMMANDS: Record<string, Command> = {
  migrate,
  'migrate:revert': migrateRevert,
  'release-gate': releaseGateCommand,
};
