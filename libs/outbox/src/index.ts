/**
 * @app/outbox: the transactional outbox of seeds 000/001 and the DomainEvent
 * v2 envelope + consumer policy of ADR-009 (CONTRACTS §6, §11).
 */
export * from './event';
export * from './transaction';
export * from './writer';
export * from './backoff';
export * from './backlog';
export * from './poller';
export * from './consumer';
export * from './outbox-worker.module';
export * from './outbox-worker-app';
