/**
 * brand_code rules (ADR-009 "brand_code prefix-disjointness"). Outbound
 * game-provider accounts are namespaced as `<brand_code>_<account>`, and
 * game_service reverse-parses callbacks by brand_code prefix; so a new code
 * must not be a prefix of an existing code, must not have an existing code as
 * a prefix, and must not be a prefix of any player.account already sent to a
 * provider (legacy un-namespaced accounts such as `vip_alice` would otherwise
 * parse as brand `vip`). Codes are lowercase so code-to-code comparisons are
 * exact; player accounts may carry capitals (`VIP_alice`), so the account
 * check compares case-insensitively.
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

/** How many leading characters `caseVariants` expands (at most 2^4 = 16 variants). */
export const CASE_VARIANT_CHARS = 4;

/**
 * Every upper/lower-case spelling of the first CASE_VARIANT_CHARS characters of
 * `prefix` (`ab1` → `ab1`, `aB1`, `Ab1`, `AB1`). As `account LIKE <variant>%`
 * ranges they let the text_pattern_ops index on player.account find every
 * candidate of a case-insensitive prefix match, which `lower(account)` alone
 * could only find by scanning the table.
 */
export function caseVariants(prefix: string): string[] {
  let variants = [''];
  for (const c of prefix.slice(0, CASE_VARIANT_CHARS)) {
    const spellings = [...new Set([c.toLowerCase(), c.toUpperCase()])];
    variants = variants.flatMap((v) => spellings.map((s) => v + s));
  }
  return variants;
}
