import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Metrics } from '@app/observability';

/**
 * AES PII encryption for `phone_num` / `bank_num` columns (seed 000, "Boot
 * guard: AES PII keys"; CONTRACTS §1: AES_KEY / AES_IV are the raw UTF-8
 * bytes of their values, exactly 32 and 16 bytes).
 *
 * Stored format of new writes (versioned AES-256-GCM, random nonce):
 *
 *   "aesgcm:v1:" + base64( nonce[12] ‖ ciphertext[n] ‖ tag[16] )
 *
 * standard base64 with padding, no associated data, ciphertext length equal
 * to the UTF-8 length of the plaintext. This is the layout the historical
 * service wrote (nonce prepended to AESGCM's ciphertext‖tag), so old rows
 * decrypt unchanged.
 *
 * Reads:
 * - a GCM value that fails authentication (or is not even well formed)
 *   always throws `PiiDecryptError`: it is tampering or a wrong key, and
 *   AES_STRICT_DECRYPT never softens it;
 * - a value without the prefix is legacy: base64 of AES-256-CBC/PKCS7 under
 *   AES_KEY and the static AES_IV. When that does not decrypt (and always
 *   when AES_IV is unset), the value is ambiguous: plaintext from the
 *   unencrypted era, or corrupt. With `strictDecrypt` it throws, without it
 *   the value is returned as-is.
 *
 * Unconfigured keys: construction throws in production (defence in depth
 * behind the boot guard). Outside production, values pass through as
 * plaintext, `pii_aes_unconfigured_total{service,op}` counts each call and a
 * single WARN per operation names the problem (never the value).
 *
 * `null`/`undefined` map to `null` and the empty string stays empty in both
 * directions: there is nothing to protect and the columns are nullable.
 */

export const GCM_PREFIX = 'aesgcm:v1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class PiiDecryptError extends Error {
  constructor(
    readonly reason: 'gcm_auth_failed' | 'gcm_malformed' | 'legacy_undecryptable' | 'keys_unconfigured',
  ) {
    super(`PII value could not be decrypted (${reason})`);
    this.name = 'PiiDecryptError';
  }
}

export class PiiKeysMisconfiguredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiKeysMisconfiguredError';
  }
}

export interface PiiLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface PiiCipherOptions {
  aesKey?: string;
  aesIv?: string;
  strictDecrypt: boolean;
  production: boolean;
  /** Metric label, e.g. `player_service`. */
  service: string;
  logger?: PiiLogger;
}

/** Masks all but the last `keepEnd` characters (`01012345678` → `*******5678`); short values are fully masked. */
export function mask(plain: string, keepEnd?: number): string;
export function mask(plain: string | null | undefined, keepEnd?: number): string | null;
export function mask(plain: string | null | undefined, keepEnd = 4): string | null {
  if (plain === null || plain === undefined) return null;
  const chars = Array.from(plain);
  const keep = Math.max(0, Math.floor(keepEnd));
  if (chars.length <= keep) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class PiiCipher {
  private readonly key: Buffer | null;
  private readonly iv: Buffer | null;
  private readonly warned = new Set<'encrypt' | 'decrypt'>();

  constructor(private readonly options: PiiCipherOptions) {
    const { aesKey, aesIv, production } = options;
    if (production && (isBlank(aesKey) || isBlank(aesIv))) {
      throw new PiiKeysMisconfiguredError('AES_KEY and AES_IV are required in production');
    }
    this.key = isBlank(aesKey) ? null : Buffer.from(aesKey as string, 'utf8');
    this.iv = isBlank(aesIv) ? null : Buffer.from(aesIv as string, 'utf8');
    if (this.key && this.key.length !== 32)
      throw new PiiKeysMisconfiguredError('AES_KEY must be exactly 32 bytes');
    if (this.iv && this.iv.length !== 16)
      throw new PiiKeysMisconfiguredError('AES_IV must be exactly 16 bytes');
  }

  /** True when AES_KEY is set, i.e. new writes are really encrypted. */
  get configured(): boolean {
    return this.key !== null;
  }

  encrypt(plain: string): string;
  encrypt(plain: string | null | undefined): string | null;
  encrypt(plain: string | null | undefined): string | null {
    if (plain === null || plain === undefined) return null;
    if (plain === '') return '';
    if (!this.key) {
      this.unconfigured('encrypt');
      return plain;
    }
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return GCM_PREFIX + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  decrypt(stored: string): string;
  decrypt(stored: string | null | undefined): string | null;
  decrypt(stored: string | null | undefined): string | null {
    if (stored === null || stored === undefined) return null;
    if (stored === '') return '';
    if (stored.startsWith(GCM_PREFIX)) {
      if (!this.key) {
        this.unconfigured('decrypt');
        throw new PiiDecryptError('keys_unconfigured');
      }
      return this.decryptGcm(stored.slice(GCM_PREFIX.length), this.key);
    }
    if (!this.key) {
      this.unconfigured('decrypt');
      return stored;
    }
    const legacy = this.iv ? this.decryptLegacy(stored, this.key, this.iv) : null;
    if (legacy !== null) return legacy;
    if (this.options.strictDecrypt) throw new PiiDecryptError('legacy_undecryptable');
    return stored;
  }

  /** See the module-level `mask`. */
  mask(plain: string | null | undefined, keepEnd = 4): string | null {
    return mask(plain, keepEnd);
  }

  private decryptGcm(encoded: string, key: Buffer): string {
    if (!BASE64.test(encoded)) throw new PiiDecryptError('gcm_malformed');
    const raw = Buffer.from(encoded, 'base64');
    if (raw.length < NONCE_BYTES + TAG_BYTES) throw new PiiDecryptError('gcm_malformed');
    const nonce = raw.subarray(0, NONCE_BYTES);
    const tag = raw.subarray(raw.length - TAG_BYTES);
    const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(body), decipher.final()]);
      return utf8.decode(plain);
    } catch {
      throw new PiiDecryptError('gcm_auth_failed');
    }
  }

  /** Legacy AES-256-CBC read; `null` when the value is not a decryptable legacy ciphertext. */
  private decryptLegacy(stored: string, key: Buffer, iv: Buffer): string | null {
    if (!BASE64.test(stored)) return null;
    const raw = Buffer.from(stored, 'base64');
    if (raw.length === 0 || raw.length % 16 !== 0) return null;
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, iv);
      const plain = Buffer.concat([decipher.update(raw), decipher.final()]);
      return utf8.decode(plain);
    } catch {
      return null;
    }
  }

  private unconfigured(op: 'encrypt' | 'decrypt'): void {
    Metrics.piiAesUnconfigured().inc({ service: this.options.service, op });
    if (this.warned.has(op)) return;
    this.warned.add(op);
    this.options.logger?.warn(
      { service: this.options.service, op, reason: 'pii_aes_unconfigured' },
      `AES_KEY is not configured: PII ${op} passes plaintext through (non-production only)`,
    );
  }
}
