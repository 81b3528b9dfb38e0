/**
 * Admin WebSocket credential extraction (seed 004 "Admin WebSocket auth
 * (T4-D-I7)"): the preferred carrier is the `Sec-WebSocket-Protocol` pair
 * `bearer, <jwt>` (the server echoes only `bearer`, so the token never shows
 * up in access logs, history or Referer); the legacy `?token=` query string
 * is honoured only outside production with ADMIN_WS_ALLOW_QUERY_TOKEN=on, and
 * any query token in production closes the socket with 4003.
 */

/** Close codes of the admin socket. 4001 is our pick for "no or invalid token" (the seed leaves it open). */
export const WS_CLOSE = {
  /** RFC 6455 policy violation: rate limit, Redis outage in production, token expiry. */
  POLICY_VIOLATION: 1008,
  /** Missing, unverifiable, expired-at-accept or wrong-audience admin token. */
  UNAUTHORIZED: 4001,
  /** A `?token=` query string on a production runtime. */
  QUERY_TOKEN_FORBIDDEN: 4003,
} as const;

export const BEARER_PROTOCOL = 'bearer';

/** `Sec-WebSocket-Protocol` values, split on `,` and trimmed (STACK pitfall 5). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The JWT offered after `bearer` in the subprotocol list, or null. */
export function tokenFromProtocols(header: string | string[] | undefined): string | null {
  const protocols = offeredProtocols(header);
  const at = protocols.findIndex((p) => p.toLowerCase() === BEARER_PROTOCOL);
  if (at < 0) return null;
  return protocols[at + 1] ?? null;
}

/**
 * `handleProtocols` for the `ws` server: select `bearer` when offered, never
 * the token itself. Without `bearer` no subprotocol is selected and the
 * connection is then closed 4001 (or served from the legacy query token).
 */
export function selectProtocol(protocols: Set<string>): string | false {
  for (const p of protocols) {
    if (p.toLowerCase() === BEARER_PROTOCOL) return p;
  }
  return false;
}

/** The `token` query parameter: undefined when absent, the (possibly empty) value otherwise. */
export function queryToken(url: string | undefined): string | undefined {
  const search = new URL(url ?? '/', 'http://admin.invalid').searchParams;
  return search.has('token') ? (search.get('token') ?? '') : undefined;
}

export type CredentialDecision =
  | { kind: 'token'; token: string; source: 'subprotocol' | 'query' }
  | { kind: 'refuse'; code: number; reason: 'query_token_in_production' | 'missing_token' };

/**
 * Which credential to verify. A query token in production is refused even
 * when a subprotocol token is also present (seed: "requests carrying a
 * query-string token are closed with code 4003"). Outside production the
 * subprotocol wins; the query token is used only when allowed, else it is
 * ignored and the socket is unauthenticated (4001).
 */
export function decideCredential(input: {
  protocolHeader: string | string[] | undefined;
  url: string | undefined;
  production: boolean;
  allowQueryToken: boolean;
}): CredentialDecision {
  const fromQuery = queryToken(input.url);
  if (fromQuery !== undefined && input.production) {
    return { kind: 'refuse', code: WS_CLOSE.QUERY_TOKEN_FORBIDDEN, reason: 'query_token_in_production' };
  }
  const fromProtocol = tokenFromProtocols(input.protocolHeader);
  if (fromProtocol) return { kind: 'token', token: fromProtocol, source: 'subprotocol' };
  if (fromQuery && input.allowQueryToken) return { kind: 'token', token: fromQuery, source: 'query' };
  return { kind: 'refuse', code: WS_CLOSE.UNAUTHORIZED, reason: 'missing_token' };
}
