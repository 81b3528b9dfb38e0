/**
 * @app/downstream: the internal HTTP client every app uses to call other
 * services with per-caller tokens and signed brand headers (ADR-009, CONTRACTS §3).
 */
export * from './client';
