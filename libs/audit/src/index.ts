/**
 * @app/audit: append-only recovery_audit and admin_audit writers (seeds 000,
 * 001, 004; ADR-009 audit guarantees). Writers take the caller's transaction.
 */
export * from './sensitive';
export * from './recovery-audit.writer';
export * from './admin-audit.writer';
export * from './money-audit';
