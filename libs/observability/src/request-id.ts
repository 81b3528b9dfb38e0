import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * X-Request-ID (CONTRACTS §3): bound when the client sends ≤128 chars of
 * [A-Za-z0-9._-], otherwise replaced by a generated UUID v4; echoed on every
 * response and forwarded downstream.
 */
const VALID = /^[A-Za-z0-9._-]{1,128}$/;

export function sanitizeRequestId(value: string | string[] | undefined): string | null {
  const raw = Array.isArray(value) ? value[0] : value;
  return raw !== undefined && VALID.test(raw) ? raw : null;
}

export function requestIdFor(req: IncomingMessage): string {
  return sanitizeRequestId(req.headers['x-request-id']) ?? randomUUID();
}
