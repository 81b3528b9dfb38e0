/**
 * Outbox rows must commit with the state change they describe (CONTRACTS §6):
 * a write through a manager with no open transaction would commit alone, so
 * it is refused outright.
 */
import type { EntityManager } from 'typeorm';

export class TransactionRequiredError extends Error {
  constructor(what: string) {
    super(`${what} must run inside the caller's transaction (EntityManager from dataSource.transaction)`);
    this.name = 'TransactionRequiredError';
  }
}

export function assertInTransaction(manager: EntityManager, what: string): void {
  if (manager.queryRunner?.isTransactionActive !== true) throw new TransactionRequiredError(what);
}
