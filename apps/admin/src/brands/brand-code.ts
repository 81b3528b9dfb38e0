/**
 * brand_code rules (ADR-009 "brand_code prefix-disjointness"). Outbound
 * game-provider accounts are namespaced as `<brand_code>_<account>`, and
 * game_service reverse-parses callbacks by brand_code prefix; so a new code
 * must not be a prefix of an existing code, must not have an existing code as
 * a prefix, and must not be a prefix of any player.account already sent to a
 * provider (legacy un-namespaced accounts such as `vip_alice` would otherwise
 * parse as brand `vip`). Codes are lowercase so comparisons are exact.
 */
export const BRAND_CODE_PATTERN = /^[a-z][a-z0-9]{1,31}$/;

export function normalizeBrandCode(raw: string): string {
  return raw.trim().toLowerCase();
}

/** The outbound provider account of a player (game_service composes it the same way). */
export function namespacedAccount(brandCode: string, account: string): string {
  return `${brandCode}_${account}`;
}

/** True when either code is a prefix of the other (equal codes included). */
export function codesCollide(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** LIKE pattern matching every string that starts with `prefix` (wildcards escaped). */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
