/**
 * The status catalog of CONTRACTS §2: one numeric status per outcome and the
 * HTTP code each surface answers with. Frontend surfaces (gateway, agent
 * portal) keep legacy clients working by answering 200 for business failures;
 * admin and /internal/* surfaces use real HTTP codes.
 */
export enum Status {
  OK = 0,
  FAILED = 1,
  INVALID_INPUT = 2,
  AUTH_REQUIRED = 3,
  FORBIDDEN = 4,
  NOT_FOUND = 5,
  RATE_LIMITED = 6,
  DOWNSTREAM_UNAVAILABLE = 7,
  CONFLICT = 8,
  BRAND_UNRESOLVED = 50,
  BRAND_MISMATCH = 51,
  BRAND_NOT_ALLOWED = 52,
  BRAND_SIGNATURE_INVALID = 53,
  BRAND_CONTEXT_REQUIRED = 54,
  INTERNAL_TOKEN_INVALID = 60,
  OPERATOR_ID_MISMATCH = 61,
  OPERATOR_ID_REQUIRED = 62,
}

export type Surface = 'frontend' | 'internal';

const FRONTEND_HTTP: Record<Status, number> = {
  [Status.OK]: 200,
  [Status.FAILED]: 200,
  [Status.INVALID_INPUT]: 200,
  [Status.AUTH_REQUIRED]: 200,
  [Status.FORBIDDEN]: 403,
  [Status.NOT_FOUND]: 404,
  [Status.RATE_LIMITED]: 429,
  [Status.DOWNSTREAM_UNAVAILABLE]: 502,
  [Status.CONFLICT]: 200,
  [Status.BRAND_UNRESOLVED]: 400,
  [Status.BRAND_MISMATCH]: 403,
  [Status.BRAND_NOT_ALLOWED]: 403,
  [Status.BRAND_SIGNATURE_INVALID]: 401,
  [Status.BRAND_CONTEXT_REQUIRED]: 400,
  [Status.INTERNAL_TOKEN_INVALID]: 401,
  [Status.OPERATOR_ID_MISMATCH]: 403,
  [Status.OPERATOR_ID_REQUIRED]: 400,
};

const INTERNAL_HTTP: Record<Status, number> = {
  ...FRONTEND_HTTP,
  [Status.FAILED]: 422,
  [Status.INVALID_INPUT]: 400,
  [Status.AUTH_REQUIRED]: 401,
  [Status.CONFLICT]: 409,
};

/** HTTP code for a status on a surface; unknown statuses map to 500. */
export function httpCodeFor(status: number, surface: Surface): number {
  const table = surface === 'frontend' ? FRONTEND_HTTP : INTERNAL_HTTP;
  return (table as Record<number, number>)[status] ?? 500;
}

export const DEFAULT_MESSAGES: Record<Status, string> = {
  [Status.OK]: 'ok',
  [Status.FAILED]: 'failed',
  [Status.INVALID_INPUT]: 'invalid input',
  [Status.AUTH_REQUIRED]: 'authentication required',
  [Status.FORBIDDEN]: 'forbidden',
  [Status.NOT_FOUND]: 'not found',
  [Status.RATE_LIMITED]: 'rate limited',
  [Status.DOWNSTREAM_UNAVAILABLE]: 'downstream unavailable',
  [Status.CONFLICT]: 'conflict',
  [Status.BRAND_UNRESOLVED]: 'brand unresolved',
  [Status.BRAND_MISMATCH]: 'brand mismatch',
  [Status.BRAND_NOT_ALLOWED]: 'brand not allowed',
  [Status.BRAND_SIGNATURE_INVALID]: 'brand signature invalid',
  [Status.BRAND_CONTEXT_REQUIRED]: 'brand context required',
  [Status.INTERNAL_TOKEN_INVALID]: 'internal token invalid',
  [Status.OPERATOR_ID_MISMATCH]: 'operator id mismatch',
  [Status.OPERATOR_ID_REQUIRED]: 'operator id required',
};
