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

/** The request domain: `Origin` host first, then `Host`; port stripped, lowercased. */
export function extractDomain(headers: Record<string, string | string[] | undefined>): string | null {
  const origin = header(headers, 'origin');
  if (origin && origin !== 'null') {
    try {
      const parsed = hostOnly(new URL(origin).host);
      if (parsed) return parsed;
    } catch {
      // A malformed Origin falls back to Host, like the seed's helper.
    }
  }
  const host = header(headers, 'host');
  return host ? hostOnly(host) : null;
}
