import { createHash } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Contact and IP hashes (seed 000: recovery_audit stores the SHA-256 of the
 * contact and of the source IP, never the values; logs carry only
 * `contact_hash=<first 8 hex>`).
 *
 * Contacts are normalised first so that the same person typed two ways hashes
 * the same: trimmed; an email (contains `@`) is lowercased; a phone has its
 * spaces, dashes, dots and parentheses removed (the leading `+` is kept).
 */

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export function normalizeContact(value: string): string {
  const trimmed = value.trim();
  if (trimmed.includes('@')) return trimmed.toLowerCase();
  return trimmed.replace(/[\s\-().]/g, '');
}

/** Full lowercase hex SHA-256 of the normalised contact (audit rows). */
export function contactHash(value: string): string {
  return sha256Hex(normalizeContact(value));
}

/** First 8 hex of `contactHash`: the only contact trace allowed in logs. */
export function contactHashShort(value: string): string {
  return contactHash(value).slice(0, 8);
}

/**
 * Full lowercase hex SHA-256 of the source IP. IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`, as Node reports IPv4 peers on dual-stack sockets) is
 * reduced to the IPv4 form and IPv6 is lowercased, so one client hashes once.
 */
export function ipHash(ip: string): string {
  let value = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped && isIP(mapped[1]) === 4) value = mapped[1];
  return sha256Hex(value);
}
