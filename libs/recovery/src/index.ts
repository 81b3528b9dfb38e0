/**
 * @app/recovery: the password-recovery flow and one-time-code primitives of
 * seeds 000/001 (ADR-009 recovery brand precedence and recovery_audit
 * guarantees), subject-agnostic so player_service and agent_service share it.
 */
export * from './contact';
export * from './otp-store';
export * from './rate-limiter';
export * from './code-delivery';
export * from './recovery.service';
