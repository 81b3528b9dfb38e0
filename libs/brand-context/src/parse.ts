/**
 * Header and domain parsing shared by every edge (CONTRACTS §3; gateway seed
 * T6-E1 and `_extract_domain`).
 */

/** `X-Brand-Id`: a positive decimal integer; 0, negatives and junk count as missing. */
export function parseBrandIdHeader(value: string | string[] | undefined | null): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === null) return null;
  const text = raw.trim();
  if (!/^[0-9]{1,10}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}

function hostOnly(hostPort: string): string | null {
  let host = hostPort.trim().toLowerCase();
  if (host === '') return null;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return null;
    return host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  host = host.replace(/\.$/, '');
  return /^[a-z0-9.-]+$/.test(host) ? host : null;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Parsed `Origin` values: a site's requests repeat the same few, and WHATWG URL
 * parsing was a visible part of the gateway's CPU per request. Same input, same
 * answer; bounded, and emptied when full.
 */
const ORIGIN_HOSTS = new Map<string, string | null>();
const ORIGIN_HOSTS_MAX = 10_000;
/** Longer values (any client can send one) are parsed every time rather than kept. */
const ORIGIN_MEMO_MAX_LENGTH = 256;

/** The lowercased host of an `Origin` value, without port; null when it has none (malformed). */
function originHost(origin: string): string | null {
  const known = ORIGIN_HOSTS.get(origin);
  if (known !== undefined) return known;
  let parsed: string | null;
  try {
    parsed = hostOnly(new URL(origin).host);
  } catch {
    parsed = null;
  }
  if (origin.length <= ORIGIN_MEMO_MAX_LENGTH) {
    if (ORIGIN_HOSTS.size >= ORIGIN_HOSTS_MAX) ORIGIN_HOSTS.clear();
    ORIGIN_HOSTS.set(origin, parsed);
  }
  return parsed;
}

/** The request domain: `Origin` host first, then `Host`; port stripped, lowercased. */
export function extractDomain(headers: Record<string, string | string[] | undefined>): string | null {
  const origin = header(headers, 'origin');
  if (origin && origin !== 'null') {
    // A malformed Origin falls back to Host, like the seed's helper.
    const parsed = originHost(origin);
    if (parsed) return parsed;
  }
  const host = header(headers, 'host');
  return host ? hostOnly(host) : null;
}
