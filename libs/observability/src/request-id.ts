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

const REQUEST_ID = Symbol('requestId');
type Carrier = IncomingMessage & { [REQUEST_ID]?: string };

/**
 * The request's id, decided once per request and kept on it: Fastify's
 * genReqId, the request-context step and the worker's health server may each
 * ask, in an order that differs between apps, and must all get the same id.
 */
export function requestIdFor(req: IncomingMessage): string {
  const carrier = req as Carrier;
  return (carrier[REQUEST_ID] ??= sanitizeRequestId(req.headers['x-request-id']) ?? randomUUID());
}
