/**
 * Audit blobs never carry secrets or raw PII (seed 000 recovery_audit "NEVER
 * the contact, token, or password"; seed 001 "new-value payloads carry
 * contact_hash/bank_id only -- never the raw phone, raw card, or OTP"; seed
 * 004 password routes capture {"changed": true} only). A blob with a key that
 * names such a value is a bug at the call site, so the writer throws rather
 * than silently dropping it.
 *
 * Keys are compared in snake_case, case-insensitively, at every depth. A key
 * is refused when it IS a forbidden name or ends in `_<name>` (new_password,
 * reset_token, old_phone); `code` is refused exactly and in its OTP spellings
 * only, so that e.g. `status_code` stays usable. Hashes (`contact_hash`) pass.
 */
export const FORBIDDEN_AUDIT_KEYS = [
  'password',
  'token',
  'code',
  'otp',
  'phone',
  'contact',
  'card_number',
  'bank_num',
  'phone_num',
  'tel',
] as const;

const SUFFIX_MATCHED = FORBIDDEN_AUDIT_KEYS.filter((key) => key !== 'code');
const OTP_CODE_KEYS = new Set([
  'sms_code',
  'otp_code',
  'verify_code',
  'verification_code',
  'recovery_code',
  'reset_code',
]);

export class ForbiddenAuditKeyError extends Error {
  constructor(readonly path: string) {
    super(`audit blob must not carry a secret or raw contact (key "${path}")`);
    this.name = 'ForbiddenAuditKeyError';
  }
}

function normalize(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
}

export function isForbiddenAuditKey(key: string): boolean {
  const k = normalize(key);
  if (k === 'code' || OTP_CODE_KEYS.has(k)) return true;
  return SUFFIX_MATCHED.some((name) => k === name || k.endsWith(`_${name}`));
}

/** Throws ForbiddenAuditKeyError for the first forbidden key found anywhere in `value`. */
export function assertNoSensitiveKeys(value: unknown, path = '$'): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertNoSensitiveKeys(item, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}.${key}`;
    if (isForbiddenAuditKey(key)) throw new ForbiddenAuditKeyError(childPath);
    assertNoSensitiveKeys(child, childPath);
  }
}
