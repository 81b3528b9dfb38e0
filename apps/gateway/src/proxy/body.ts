/**
 * Forwarded request bodies. The gateway relays the client's bytes unchanged
 * (a provider callback may be signed over its exact body); it parses a body
 * only where it must edit or check it: legacy aliases get `domain` injected
 * (gateway seed "legacy player routes inject domain into the body the same
 * way as today"), launch gets `player_id` from the JWT, register has its
 * `brand_id` checked (CONTRACTS §7). JSON objects and forms are editable.
 */
import { InvalidInputError } from '@app/http';

export type PlainObject = Record<string, unknown>;

export interface EditableBody {
  value: PlainObject;
  /** The edited object in the body's own encoding. */
  encode(value: PlainObject): string;
}

export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value))
    return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A positive integer brand id from a body value (number or decimal string), else null. */
export function bodyBrandId(value: unknown): number | null {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,10}$/.test(value.trim())
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The JWT `sub` as the numeric player id the downstream expects, when it is one. */
export function playerIdOf(sub: string): number | string {
  const n = Number(sub);
  return /^\d+$/.test(sub) && Number.isSafeInteger(n) ? n : sub;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

function encodeForm(value: PlainObject): string {
  const params = new URLSearchParams();
  for (const [key, item] of Object.entries(value)) {
    for (const v of Array.isArray(item) ? item : [item]) {
      if (v !== undefined && v !== null)
        params.append(key, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  return params.toString();
}

/**
 * The body as an editable object: a JSON object or a form. Null for an empty
 * body, a JSON value that is not an object, or any other content type.
 * Malformed JSON is status 2.
 */
export function editableBody(raw: Buffer | undefined, contentType: string | undefined): EditableBody | null {
  if (!raw || raw.length === 0 || !contentType) return null;
  if (JSON_TYPE.test(contentType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new InvalidInputError('malformed JSON body');
    }
    return isPlainObject(parsed) ? { value: parsed, encode: (value) => JSON.stringify(value) } : null;
  }
  if (FORM_TYPE.test(contentType)) {
    const value: PlainObject = {};
    for (const [key, item] of new URLSearchParams(raw.toString('utf8'))) {
      const existing = value[key];
      value[key] =
        existing === undefined ? item : Array.isArray(existing) ? [...existing, item] : [existing, item];
    }
    return { value, encode: encodeForm };
  }
  return null;
}
