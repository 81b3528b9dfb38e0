/**
 * gateway seed "Primary Entry Points" + issue 3 point 1: the player route
 * families, their legacy root aliases and the provider pass-through, mapped
 * to the owner service. One pure function decides, for a method and URL,
 * which downstream gets the request, under which path, and what the edge
 * must do first (brand resolution, player JWT). Every pipeline step and the
 * proxy read the same decision, so they cannot disagree about a route.
 *
 * Downstream paths:
 * - `/api/v1/user/<rest>`   → player `/internal/players/<rest>`
 * - `/api/v1/common/<rest>` → player `/internal/common/<rest>`
 * - `/api/v1/{finance,game,rolling,promotion,provider}/<rest>` → the owner
 *   service under the same canonical `/api/v1/<family>/<rest>` path
 * - `POST /api/v1/game/launch` → game `/integration/launch` (the only player launch entry point)
 * - legacy `/<family>/<rest>` aliases map to exactly what the canonical path
 *   maps to, so a downstream only ever sees one form.
 *
 * Paths with empty, `.` or `..` segments (also percent-encoded) or encoded
 * slashes are not routable: a client must not be able to walk out of the
 * family prefix on a downstream that normalises paths.
 */

export type RouteFamily = 'user' | 'common' | 'finance' | 'game' | 'rolling' | 'promotion' | 'provider';
export type RouteTarget = 'player' | 'wallet' | 'game' | 'rolling' | 'promotion';
/** `player`: the player JWT is required; `public`: no JWT; `provider`: no JWT and no domain brand. */
export type RouteAuth = 'player' | 'public' | 'provider';

export interface RouteMatch {
  family: RouteFamily;
  target: RouteTarget;
  auth: RouteAuth;
  /** Legacy root alias (`/user/*`, …): `domain` is injected into the forwarded JSON body. */
  legacy: boolean;
  /** The request domain is resolved to a brand (every family but provider callbacks). */
  resolvesBrand: boolean;
  /** `POST …/game/launch`: player_id from the JWT, provider allow-list precheck. */
  launch: boolean;
  /** `POST …/user/register`: a body brand_id other than the resolved brand is refused (CONTRACTS §7). */
  register: boolean;
  /** The path below the family prefix, without leading or trailing slash. */
  rest: string;
  downstreamPath: string;
  /** The route template the HTTP metrics are labelled with: `/api/v1/user/*`, `/user/*`, `/api/v1/game/launch`, … */
  template: string;
}

interface FamilySpec {
  target: RouteTarget;
  downstreamPrefix: string;
  auth: (rest: string) => RouteAuth;
}

/** Player routes that work without a player: register, login, recovery, captcha (issue 3 point 1). */
export const PUBLIC_USER_ROUTES: ReadonlySet<string> = new Set([
  'register',
  'register/sendSMS',
  'login',
  'recovery/request',
  'recovery/verify',
  'recovery/reset',
  'captcha',
]);

const player = (): RouteAuth => 'player';

const FAMILIES: Record<RouteFamily, FamilySpec> = {
  user: {
    target: 'player',
    downstreamPrefix: '/internal/players/',
    auth: (rest) => (PUBLIC_USER_ROUTES.has(rest) ? 'public' : 'player'),
  },
  // Common content (config, notices, banners…) is public; nothing in it needs a player.
  common: { target: 'player', downstreamPrefix: '/internal/common/', auth: () => 'public' },
  finance: { target: 'wallet', downstreamPrefix: '/api/v1/finance/', auth: player },
  game: { target: 'game', downstreamPrefix: '/api/v1/game/', auth: player },
  rolling: { target: 'rolling', downstreamPrefix: '/api/v1/rolling/', auth: player },
  promotion: { target: 'promotion', downstreamPrefix: '/api/v1/promotion/', auth: player },
  provider: { target: 'game', downstreamPrefix: '/api/v1/provider/', auth: () => 'provider' },
};

export const LAUNCH_DOWNSTREAM_PATH = '/integration/launch';
const CANONICAL_PREFIX = '/api/v1/';

/** Metric route templates per family and form, built once. */
const TEMPLATES = Object.fromEntries(
  Object.keys(FAMILIES).map((family) => [
    family,
    { canonical: `${CANONICAL_PREFIX}${family}/*`, legacy: `/${family}/*` },
  ]),
) as Record<RouteFamily, { canonical: string; legacy: string }>;
const LAUNCH_TEMPLATES = { canonical: `${CANONICAL_PREFIX}game/launch`, legacy: '/game/launch' };

function isFamily(name: string): name is RouteFamily {
  return Object.prototype.hasOwnProperty.call(FAMILIES, name);
}

/** Percent-encodings of RFC 3986 unreserved characters, which mean the same as the characters themselves. */
const ESCAPE = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /^[A-Za-z0-9._~-]$/;

function unescapeUnreserved(segment: string): string {
  return segment.replace(ESCAPE, (escape: string, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape;
  });
}

/**
 * `rest` without a trailing slash and with escaped unreserved characters decoded (RFC 3986
 * §6.2.2.2), so that `launc%68` is classified, checked and forwarded as `launch`; null when a
 * segment is empty, a dot segment or hides a slash.
 */
function cleanRest(rest: string): string | null {
  const trimmed = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  if (trimmed === '') return null;
  if (!trimmed.includes('%')) {
    for (const segment of trimmed.split('/')) {
      if (segment === '' || segment === '.' || segment === '..' || segment.includes('\\')) return null;
    }
    return trimmed;
  }
  const segments = trimmed.split('/');
  for (let i = 0; i < segments.length; i += 1) {
    const segment = unescapeUnreserved(segments[i]);
    if (segment === '' || segment === '.' || segment === '..') return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (decoded.includes('/') || decoded.includes('\\')) return null;
    segments[i] = segment;
  }
  return segments.join('/');
}

/** The route of a request path (query string allowed), or null when the gateway does not serve it. */
export function matchRoute(method: string, url: string): RouteMatch | null {
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  const legacy = !path.startsWith(CANONICAL_PREFIX);
  const afterPrefix = legacy ? path.slice(1) : path.slice(CANONICAL_PREFIX.length);
  const slash = afterPrefix.indexOf('/');
  if (slash <= 0) return null;
  const family = afterPrefix.slice(0, slash);
  if (!isFamily(family)) return null;
  const rest = cleanRest(afterPrefix.slice(slash + 1));
  if (rest === null) return null;

  const spec = FAMILIES[family];
  const isLaunchPath = family === 'game' && rest === 'launch';
  // Launch is POST-only; other methods on its path are not part of the contract.
  if (isLaunchPath && method !== 'POST') return null;
  return {
    family,
    target: spec.target,
    auth: spec.auth(rest),
    legacy,
    resolvesBrand: family !== 'provider',
    launch: isLaunchPath,
    register: family === 'user' && rest === 'register' && method === 'POST',
    rest,
    downstreamPath: isLaunchPath ? LAUNCH_DOWNSTREAM_PATH : `${spec.downstreamPrefix}${rest}`,
    template: (isLaunchPath ? LAUNCH_TEMPLATES : TEMPLATES[family])[legacy ? 'legacy' : 'canonical'],
  };
}
