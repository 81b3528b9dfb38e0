import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@app/crypto';

/**
 * Signed X-Brand-Id for brand-scoped wallet commands (ADR-009 "Signed
 * X-Brand-Id"; CONTRACTS §3):
 *
 *   X-Brand-Signature = lowercase hex HMAC_SHA256(BRAND_SIGNING_KEY,
 *                         "caller|brand_id|request_id|timestamp")
 *   X-Brand-Timestamp = unix seconds
 *
 * `brand_id` is the decimal integer as sent in `X-Brand-Id`. A verifier
 * accepts ±300 s of clock skew by default, which also bounds how long a
 * captured signature can be replayed. Comparison is constant time.
 */

export const BRAND_TIMESTAMP_HEADER = 'x-brand-timestamp';
export const BRAND_SIGNATURE_HEADER = 'x-brand-signature';
export const DEFAULT_BRAND_SKEW_SECONDS = 300;

export interface SignBrandInput {
  key: string | Buffer;
  /** The calling service name (`gateway`, `admin`, ...). */
  caller: string;
  brandId: number | string;
  requestId: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
}

export interface BrandSignature {
  timestamp: string;
  signature: string;
}

export interface VerifyBrandSignatureInput {
  key: string | Buffer | undefined;
  caller: string | undefined;
  brandId: number | string | undefined;
  requestId: string | undefined;
  /** Header value (unix seconds). */
  timestamp: string | number | undefined;
  signature: string | undefined;
  skewSeconds?: number;
  /** Current time in unix seconds; defaults to now. */
  now?: number;
}

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^[0-9a-fA-F]{64}$/;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function keyIsEmpty(key: string | Buffer | undefined): boolean {
  return key === undefined || key.length === 0 || (typeof key === 'string' && key.trim() === '');
}

export function brandSignaturePayload(
  caller: string,
  brandId: number | string,
  requestId: string,
  timestamp: string,
): string {
  return `${caller}|${brandId}|${requestId}|${timestamp}`;
}

function hmacHex(key: string | Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload, 'utf8').digest('hex');
}

export function signBrand(input: SignBrandInput): BrandSignature {
  if (keyIsEmpty(input.key)) throw new Error('BRAND_SIGNING_KEY is not configured');
  const ts = input.timestamp ?? nowSeconds();
  if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError('timestamp must be unix seconds');
  const timestamp = String(ts);
  const signature = hmacHex(
    input.key,
    brandSignaturePayload(input.caller, input.brandId, input.requestId, timestamp),
  );
  return { timestamp, signature };
}

export function verifyBrandSignature(input: VerifyBrandSignatureInput): boolean {
  const { key, caller, brandId, requestId, signature } = input;
  if (keyIsEmpty(key) || !caller || brandId === undefined || brandId === '' || !requestId) return false;
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return false;

  const timestamp = typeof input.timestamp === 'number' ? String(input.timestamp) : input.timestamp;
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return false;
  const skew = input.skewSeconds ?? DEFAULT_BRAND_SKEW_SECONDS;
  if (Math.abs((input.now ?? nowSeconds()) - Number(timestamp)) > skew) return false;

  const expected = hmacHex(
    key as string | Buffer,
    brandSignaturePayload(caller, brandId, requestId, timestamp),
  );
  return constantTimeEqual(expected, signature.toLowerCase());
}
