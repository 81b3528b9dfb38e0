import { createHmac } from 'node:crypto';
import { normalizeContact } from '@app/crypto';
import { InvalidInputError } from '@app/http';

/**
 * Contacts accepted by the recovery and OTP flows (CONTRACTS §1: a phone is
 * 8-15 digits with an optional leading `+`), and the keyed lookup digest kept
 * in `player.phone_hash` / `agent.phone_hash` / `*.email_hash` so an account
 * can be found by contact without decrypting every row (migration
 * AgentsAndPlayers: "*_hash columns hold a keyed digest").
 *
 * The lookup digest is HMAC-SHA256(PASSWORD_SALT, "contact:" + normalized
 * contact) in lowercase hex: keyed, so a database dump alone does not let an
 * attacker confirm a phone number by hashing it, unlike the unkeyed
 * `contact_hash` that audit rows and logs carry (seed 000). Every writer of
 * these columns (player, agent, admin) must use this one function.
 */

export type ContactKind = 'phone' | 'email';

export interface Contact {
  kind: ContactKind;
  /** Normalized value (spaces/dashes removed for phones, lowercased emails). */
  value: string;
}

const PHONE = /^\+?[0-9]{8,15}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{2,63}$/;

/** Parses a phone or email; anything else is status 2 naming the field, never echoing the value. */
export function parseContact(raw: unknown, field = 'contact'): Contact {
  if (typeof raw !== 'string' || raw.length > 320) throw new InvalidInputError('invalid input', { [field]: ['isContact'] });
  const value = normalizeContact(raw);
  if (value.includes('@')) {
    if (EMAIL.test(value)) return { kind: 'email', value };
  } else if (PHONE.test(value)) {
    return { kind: 'phone', value };
  }
  throw new InvalidInputError('invalid input', { [field]: ['isContact'] });
}

/** Parses a phone number only (registration and phone-change flows). */
export function parsePhone(raw: unknown, field = 'phone'): string {
  if (typeof raw === 'string') {
    const value = normalizeContact(raw);
    if (PHONE.test(value)) return value;
  }
  throw new InvalidInputError('invalid input', { [field]: ['isPhone'] });
}

/** The keyed lookup digest stored in `*_hash` columns. */
export function contactLookupHash(contact: string, pepper: string): string {
  return createHmac('sha256', pepper).update(`contact:${normalizeContact(contact)}`, 'utf8').digest('hex');
}
