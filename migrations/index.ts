/**
 * Every migration, oldest first. The apps and the CLI are bundled, so
 * TypeORM cannot glob a folder at run time: this list is what it runs.
 * A new migration is a new timestamped file here, appended to the list;
 * never synchronize (STYLE.md).
 */
import { BrandCatalog1764000000000 } from './1764000000000-BrandCatalog';
import { AgentsAndPlayers1764000001000 } from './1764000001000-AgentsAndPlayers';
import { MoneyAndLogs1764000002000 } from './1764000002000-MoneyAndLogs';
import { OutboxAndAudit1764000003000 } from './1764000003000-OutboxAndAudit';
import { RowLevelSecurity1764000004000 } from './1764000004000-RowLevelSecurity';
import { OutboxRelayCursor1764000005000 } from './1764000005000-OutboxRelayCursor';

export const ALL_MIGRATIONS = [
  BrandCatalog1764000000000,
  AgentsAndPlayers1764000001000,
  MoneyAndLogs1764000002000,
  OutboxAndAudit1764000003000,
  RowLevelSecurity1764000004000,
  OutboxRelayCursor1764000005000,
];
