/**
 * Every CLI command by name. To add one: a file in this folder exporting a
 * `Command`, and one line here.
 */
import type { Command } from '../command';
import { migrate } from './migrate';
import { dbSetup } from './db-setup';
import { migrateRevert } from './migrate-revert';
import { releaseGateCommand } from './release-gate';
import { seedDemo } from './seed-demo';
import { flipEnforcement } from './flip-enforcement';
import { rotateJwtKid } from './rotate-jwt-kid';
import { backfillDefaultBrand } from './backfill-default-brand';
import { outboxDeadLetters } from './ops-dead-letters';
import { outboxReplay } from './ops-outbox-replay';
import { createOperator } from './create-operator';
import { rebuildDomainMapsCommand } from './rebuild-domain-maps';

export const COMMANDS: Record<string, Command> = {
  'db:setup': dbSetup,
  migrate,
  'migrate:revert': migrateRevert,
  'release-gate': releaseGateCommand,
  'seed-demo': seedDemo,
  'flip-enforcement': flipEnforcement,
  'rotate-jwt-kid': rotateJwtKid,
  'backfill-default-brand': backfillDefaultBrand,
  'outbox-dead-letters': outboxDeadLetters,
  'outbox-replay': outboxReplay,
  'create-operator': createOperator,
  'rebuild-domain-maps': rebuildDomainMapsCommand,
};
