import { createHmac, randomBytes } from 'node:crypto';

/**
 * SMS provider client for the OTP and recovery flows (seeds 000/001 "optional
 * SMS provider config": SMS_URL, SMS_PLATFORM, COOLSMS_API_KEY,
 * COOLSMS_API_SECRET, COOLSMS_FROM). Codex T1-D-C4 / P1-#6: an unprovisioned
 * or failing provider must never leak the code or the raw phone, so
 * - `send` never throws and never returns or logs the text or the number:
 *   callers get a typed outcome and decide what to count and log
 *   (`contact_hash` only);
 * - every call is bounded by a timeout (SMS_TIMEOUT_MS) so a hung provider
 *   cannot hold a request open.
 *
 * Platforms:
 * - `coolsms`: CoolSMS messages v4 (`POST {base}/messages/v4/send`) signed
 *   with `HMAC-SHA256 apiKey=…, date=…, salt=…, signature=hex(HMAC(secret,
 *   date + salt))`; `SMS_URL`, when set, replaces the API base URL.
 * - anything else (`http`, unset): `POST SMS_URL` with JSON
 *   `{"to", "text", "from"?}`; a 2xx answer counts as delivered.
 */

export type SmsPlatform = 'coolsms' | 'http';

export interface SmsClientOptions {
  url?: string;
  platform?: string;
  apiKey?: string;
  apiSecret?: string;
  from?: string;
  timeoutMs: number;
  /** Injected for tests; defaults to the global fetch (undici). */
  fetchImpl?: typeof fetch;
  /** Clock for the CoolSMS signature date. */
  now?: () => Date;
}

export type SmsFailureReason = 'unprovisioned' | 'timeout' | 'provider_rejected' | 'network_error';

export type SmsOutcome = { delivered: true; platform: SmsPlatform } | { delivered: false; platform: SmsPlatform; reason: SmsFailureReason; httpStatus?: number };

const COOLSMS_BASE = 'https://api.coolsms.co.kr';

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** The CoolSMS v4 Authorization header value. */
export function coolsmsAuthorization(apiKey: string, apiSecret: string, date: string, salt: string): string {
  const signature = createHmac('sha256', apiSecret).update(date + salt).digest('hex');
  return `HMAC-SHA256 apiKey=${apiKey}, date=${date}, salt=${salt}, signature=${signature}`;
}

export class SmsClient {
  readonly platform: SmsPlatform;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => Date;

  constructor(private readonly options: SmsClientOptions) {
    this.platform = (options.platform ?? '').trim().toLowerCase() === 'coolsms' ? 'coolsms' : 'http';
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? (() => new Date());
    if (!(options.timeoutMs > 0)) throw new RangeError('SMS timeoutMs must be > 0');
  }

  /** True when a send can reach a provider at all (else every send is `unprovisioned`). */
  get provisioned(): boolean {
    if (this.platform === 'coolsms') {
      return !blank(this.options.apiKey) && !blank(this.options.apiSecret) && !blank(this.options.from);
    }
    return !blank(this.options.url);
  }

  async send(to: string, text: string): Promise<SmsOutcome> {
    if (!this.provisioned) return { delivered: false, platform: this.platform, reason: 'unprovisioned' };
    const { url, init } = this.platform === 'coolsms' ? this.coolsmsRequest(to, text) : this.httpRequest(to, text);
    try {
      const response = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
      // Drain the body so the connection is reusable; its content is not needed (and may echo the text).
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { delivered: true, platform: this.platform };
      return { delivered: false, platform: this.platform, reason: 'provider_rejected', httpStatus: response.status };
    } catch (err) {
      // DOMException (timeout/abort) is not always an Error instance across realms: read the name.
      const name = typeof err === 'object' && err !== null ? String((err as { name?: unknown }).name ?? '') : '';
      const reason: SmsFailureReason = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error';
      return { delivered: false, platform: this.platform, reason };
    }
  }

  private httpRequest(to: string, text: string): { url: string; init: RequestInit } {
    const body: Record<string, string> = { to, text };
    if (!blank(this.options.from)) body.from = this.options.from as string;
    return {
      url: this.options.url as string,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    };
  }

  private coolsmsRequest(to: string, text: string): { url: string; init: RequestInit } {
    const base = (blank(this.options.url) ? COOLSMS_BASE : (this.options.url as string)).replace(/\/+$/, '');
    const date = this.now().toISOString();
    const salt = randomBytes(16).toString('hex');
    const authorization = coolsmsAuthorization(this.options.apiKey as string, this.options.apiSecret as string, date, salt);
    return {
      url: `${base}/messages/v4/send`,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ message: { to, from: this.options.from, text } }),
      },
    };
  }
}
