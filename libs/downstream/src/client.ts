/**
 * The one HTTP client for internal service-to-service calls (ADR-009
 * "Internal service tokens" and "Signed X-Brand-Id", CONTRACTS §3):
 * - every call carries the caller's own X-Internal-Service-Token (the legacy
 *   shared token only when no per-caller token is configured), X-Caller-Service
 *   and X-Request-ID, plus X-Brand-Id when a positive brand is known;
 * - brand-scoped wallet writes also carry X-Brand-Timestamp/X-Brand-Signature;
 * - caller-supplied copies of those headers are dropped (a client must not be
 *   able to smuggle a brand or token through the gateway), as are hop-by-hop
 *   headers in both directions;
 * - headers, body and connect phases are time-bounded and every network
 *   failure becomes DownstreamUnavailableError (status 7), so no call hangs.
 * One undici Pool per base URL is kept for the life of the client.
 */
import { Readable } from 'node:stream';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { signBrand } from '@app/auth';
import type { CallerService } from '@app/config';
import { DownstreamUnavailableError } from '@app/http';
import { counterTally, Metrics } from '@app/observability';

export type DownstreamTarget =
  'player' | 'agent' | 'admin' | 'wallet' | 'game' | 'rolling' | 'promotion' | 'recon' | (string & {});

export type DownstreamMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export type QueryValue = string | number | boolean | null | undefined;

export interface DownstreamClientOptions {
  caller: CallerService;
  /** INTERNAL_SERVICE_TOKEN_{CALLER}. */
  token: string | undefined;
  /** The deprecated shared INTERNAL_SERVICE_TOKEN, used only when `token` is unset. */
  legacyToken?: string;
  /** BRAND_SIGNING_KEY; required for calls with `signBrand: true`. */
  signingKey?: string;
  timeoutMs: number;
  /** Service label for metrics. */
  service: string;
  /** Sockets per origin; undici's default (no limit) when omitted, so calls never queue behind each other. */
  connections?: number | null;
}

export interface DownstreamCall {
  target: DownstreamTarget;
  baseUrl: string;
  method: DownstreamMethod;
  path: string;
  query?: Record<string, QueryValue | QueryValue[]> | URLSearchParams;
  headers?: Record<string, string | string[] | undefined>;
  /** Names (lower case) of `headers` not to send: lets a proxy pass the client's headers without copying them first. */
  omitHeaders?: ReadonlySet<string>;
  /** Set after `headers` (and over them): e.g. what a proxy adds to the client's headers. */
  setHeaders?: Record<string, string>;
  /** Names (lower case) of response headers to leave out of the relayable copy, besides hop-by-hop ones. */
  omitResponseHeaders?: ReadonlySet<string>;
  /** Buffer/string/stream are sent as is; anything else is sent as JSON. */
  body?: unknown;
  brandId?: number | null;
  requestId: string;
  /** Brand-scoped wallet writes: add X-Brand-Timestamp + X-Brand-Signature. */
  signBrand?: boolean;
  /** Per-call override of the client's timeout. */
  timeoutMs?: number;
}

export interface DownstreamResponse<B = unknown> {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: B;
}

/** What relay() returns as the body: a JSON body's whole text, or any other body as an unread stream. */
export type RelayedBody = string | Readable;

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus those undici manages itself. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Headers this client owns: never taken from the caller's header bag. */
const OWNED = new Set([
  'host',
  'content-length',
  'x-internal-service-token',
  'x-caller-service',
  'x-request-id',
  'x-brand-id',
  'x-brand-timestamp',
  'x-brand-signature',
]);

const MAX_CONNECT_TIMEOUT_MS = 10_000;

interface Origin {
  pool: Pool;
  prefix: string;
}

interface Prepared {
  pool: Pool;
  brandLabel: string;
  options: Dispatcher.RequestOptions;
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Names listed in a Connection header are hop-by-hop too. */
function connectionListed(value: string | string[] | undefined): Set<string> | null {
  // Nearly every message says just keep-alive or close: nothing to drop beyond the hop-by-hop set.
  if (!value || value === 'keep-alive' || value === 'close') return null;
  const joined = Array.isArray(value) ? value.join(',') : value;
  return new Set(joined.split(',').map((name) => name.trim().toLowerCase()));
}

function buildQuery(query: DownstreamCall['query']): string {
  if (!query) return '';
  let params: URLSearchParams;
  if (query instanceof URLSearchParams) params = query;
  else {
    params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined && item !== null) params.append(key, String(item));
      }
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function isJsonType(type: string | string[] | undefined): boolean {
  return typeof type === 'string' && /[/+]json\b/i.test(type);
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code !== 'UND_ERR_INVALID_ARG';
}

function unavailable(target: string, cause: unknown): DownstreamUnavailableError {
  const error = new DownstreamUnavailableError(`${target} service unavailable`);
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false });
  return error;
}

/** Response headers minus hop-by-hop ones, ready to be relayed. */
export function relayableHeaders(
  headers: Record<string, string | string[] | undefined>,
  omit?: ReadonlySet<string>,
): Record<string, string | string[]> {
  const listed = connectionListed(headers.connection);
  const out: Record<string, string | string[]> = {};
  // for...in rather than Object.entries: no [name, value] array per header on every relayed response.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name) || omit?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export class DownstreamClient {
  private readonly origins = new Map<string, Origin>();
  private readonly authToken: string | undefined;

  constructor(private readonly options: DownstreamClientOptions) {
    if (!(options.timeoutMs > 0)) throw new Error('DownstreamClient timeoutMs must be > 0');
    this.authToken = options.token || options.legacyToken || undefined;
  }

  /** Which credential outbound calls use: the per-caller token, the legacy one, or none. */
  get tokenKind(): 'per_caller' | 'legacy' | 'none' {
    if (this.options.token) return 'per_caller';
    return this.options.legacyToken ? 'legacy' : 'none';
  }

  /** Calls a downstream and returns its response with the body parsed: JSON, else a Buffer, or null when empty. */
  async call<B = unknown>(call: DownstreamCall): Promise<DownstreamResponse<B>> {
    const { pool, options, brandLabel } = this.prepare(call);
    const { target } = call;
    let response: Dispatcher.ResponseData;
    try {
      response = await pool.request(options);
    } catch (err) {
      if (!isNetworkError(err)) throw err;
      this.count(target, 'unavailable', brandLabel);
      throw unavailable(target, err);
    }

    const outcome = `${Math.floor(response.statusCode / 100)}xx`;
    try {
      const parsed = await this.readBody(call.method, response);
      this.count(target, outcome, brandLabel);
      return {
        statusCode: response.statusCode,
        headers: relayableHeaders(response.headers, call.omitResponseHeaders),
        body: parsed as B,
      };
    } catch (err) {
      this.count(target, 'unavailable', brandLabel);
      throw unavailable(target, err);
    }
  }

  /**
   * A proxy's call: a JSON body (any `json` or `+json` content type) comes
   * back as its whole text, read without a stream, so the caller can look at
   * it and send it on; any other body comes back as an unread stream that the
   * caller must consume or destroy (destroying it aborts the call), with
   * backpressure down to the downstream socket. Status and headers are
   * returned as received, minus hop-by-hop ones and `omitResponseHeaders`.
   * Failures are the same DownstreamUnavailableError (status 7) as call()'s.
   */
  relay(call: DownstreamCall): Promise<DownstreamResponse<RelayedBody>> {
    let prepared: Prepared;
    try {
      prepared = this.prepare(call);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      const handler = new RelayHandler(
        call,
        (outcome) => this.count(call.target, outcome, prepared.brandLabel),
        resolve,
        reject,
      );
      try {
        prepared.pool.dispatch(prepared.options, handler);
      } catch (err) {
        handler.onResponseError(null, err as Error);
      }
    });
  }

  async close(): Promise<void> {
    const pools = [...this.origins.values()].map(({ pool }) => pool.close());
    this.origins.clear();
    await Promise.allSettled(pools);
  }

  /** Everything a call sends, built (and checked) before anything is sent. */
  private prepare(call: DownstreamCall): Prepared {
    const origin = this.origin(call.baseUrl);
    const headers = this.headers(call);
    const timeoutMs = call.timeoutMs ?? this.options.timeoutMs;
    const path = `${origin.prefix}${call.path.startsWith('/') ? call.path : `/${call.path}`}${buildQuery(call.query)}`;
    const body = this.encodeBody(call.body, headers);
    return {
      pool: origin.pool,
      brandLabel: isPositiveInt(call.brandId) ? String(call.brandId) : 'none',
      options: {
        method: call.method,
        path,
        headers,
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      },
    };
  }

  private origin(baseUrl: string): Origin {
    let origin = this.origins.get(baseUrl);
    if (!origin) {
      const url = new URL(baseUrl);
      origin = {
        pool: new Pool(url.origin, {
          connections: this.options.connections ?? null,
          connectTimeout: Math.min(this.options.timeoutMs, MAX_CONNECT_TIMEOUT_MS),
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
        }),
        prefix: url.pathname.replace(/\/+$/, ''),
      };
      this.origins.set(baseUrl, origin);
    }
    return origin;
  }

  private headers(call: DownstreamCall): Record<string, string | string[]> {
    const { caller, signingKey } = this.options;
    if (!this.authToken) {
      throw new Error(
        `no internal service token configured for caller ${caller} (INTERNAL_SERVICE_TOKEN_${caller.toUpperCase()})`,
      );
    }
    const out: Record<string, string | string[]> = {};
    if (call.headers) {
      const listed = connectionListed(call.headers.connection ?? call.headers.Connection);
      const source = call.headers;
      // for...in rather than Object.entries: a proxy passes every client header through here on every call.
      for (const name in source) {
        const value = source[name];
        if (value === undefined) continue;
        const lower = name.toLowerCase();
        if (HOP_BY_HOP.has(lower) || OWNED.has(lower) || listed?.has(lower) || call.omitHeaders?.has(lower))
          continue;
        out[lower] = value;
      }
    }
    if (call.setHeaders) {
      const added = call.setHeaders;
      for (const name in added) {
        const value = added[name];
        const lower = name.toLowerCase();
        if (!HOP_BY_HOP.has(lower) && !OWNED.has(lower)) out[lower] = value;
      }
    }
    out['x-internal-service-token'] = this.authToken;
    out['x-caller-service'] = caller;
    out['x-request-id'] = call.requestId;
    if (isPositiveInt(call.brandId)) out['x-brand-id'] = String(call.brandId);
    if (call.signBrand) {
      if (!signingKey)
        throw new Error(
          `brand-signed call to ${call.target} requested but BRAND_SIGNING_KEY is not configured`,
        );
      if (!isPositiveInt(call.brandId))
        throw new Error(`brand-signed call to ${call.target} requires a positive brandId`);
      const signed = signBrand({ key: signingKey, caller, brandId: call.brandId, requestId: call.requestId });
      out['x-brand-timestamp'] = String(signed.timestamp);
      out['x-brand-signature'] = signed.signature;
    }
    return out;
  }

  private encodeBody(
    body: unknown,
    headers: Record<string, string | string[]>,
  ): string | Buffer | Uint8Array | Readable | null {
    if (body === undefined || body === null) return null;
    if (typeof body === 'string' || body instanceof Uint8Array) return body;
    if (typeof (body as Readable).pipe === 'function') return body as Readable;
    if (!headers['content-type']) headers['content-type'] = 'application/json';
    return JSON.stringify(body);
  }

  private async readBody(method: string, response: Dispatcher.ResponseData): Promise<unknown> {
    const { statusCode, body } = response;
    if (method === 'HEAD' || statusCode === 204 || statusCode === 304) {
      await body.dump();
      return null;
    }
    if (isJsonType(response.headers['content-type'])) {
      const text = await body.text();
      return text === '' ? null : JSON.parse(text);
    }
    const buffer = Buffer.from(await body.arrayBuffer());
    return buffer.length === 0 ? null : buffer;
  }

  private count(target: string, outcome: string, brand: string): void {
    counterTally(Metrics.downstreamRequests()).inc({ service: this.options.service, target, outcome, brand });
  }
}

/**
 * relay()'s dispatch handler: undici's low-level API, so a JSON body is
 * collected straight from the parser's chunks (no response stream, its ticks
 * and promises), and any other body is pushed into a plain Readable that
 * pauses the socket when the consumer is slow.
 */
class RelayHandler implements Dispatcher.DispatchHandler {
  // One handler per proxied request: its fields are `declare`d and set in the constructor, because
  // the build compiles ordinary class fields to a defineProperty helper call each (about 1% of the
  // gateway's CPU for this class alone).
  declare private readonly call: DownstreamCall;
  declare private readonly count: (outcome: string) => void;
  declare private readonly resolve: (response: DownstreamResponse<RelayedBody>) => void;
  declare private readonly reject: (err: unknown) => void;
  declare private statusCode: number;
  declare private headers: Record<string, string | string[]>;
  /** JSON: the chunks so far. */
  declare private chunks: Buffer[] | null;
  /** Anything else: the stream handed to the caller. */
  declare private stream: Readable | null;
  declare private settled: boolean;
  declare private ended: boolean;

  constructor(
    call: DownstreamCall,
    count: (outcome: string) => void,
    resolve: (response: DownstreamResponse<RelayedBody>) => void,
    reject: (err: unknown) => void,
  ) {
    this.call = call;
    this.count = count;
    this.resolve = resolve;
    this.reject = reject;
    this.statusCode = 0;
    this.headers = {};
    this.chunks = null;
    this.stream = null;
    this.settled = false;
    this.ended = false;
  }

  /** Nothing to do here, but undici tells this handler API from its legacy one by this method. */
  onRequestStart(): void {}

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[]>,
  ): void {
    // 1xx informational responses are followed by the real one.
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
    if (isJsonType(headers['content-type'])) {
      this.chunks = [];
      return;
    }
    this.stream = new Readable({
      read: () => controller.resume(),
      destroy: (err, done) => {
        // The caller gave up on the body (e.g. its own client went away): stop the downstream call too.
        if (!this.ended) controller.abort(err ?? new Error('relay stream destroyed'));
        done(err);
      },
    });
    this.succeed(this.stream);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.chunks) this.chunks.push(chunk);
    else if (this.stream && !this.stream.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.ended = true;
    if (this.chunks) {
      const { chunks } = this;
      this.succeed(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    } else if (this.stream) this.stream.push(null);
    else this.succeed(''); // no final response at all: nothing to relay
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, err: Error): void {
    this.ended = true;
    if (!this.settled) {
      this.settled = true;
      if (!isNetworkError(err)) {
        this.reject(err);
        return;
      }
      this.count('unavailable');
      this.reject(unavailable(this.call.target, err));
      return;
    }
    // The headers were relayed already: the stream ends in error and its consumer cuts the response short.
    this.stream?.destroy(err);
  }

  private succeed(body: RelayedBody): void {
    if (this.settled) return;
    this.settled = true;
    this.count(`${Math.floor(this.statusCode / 100)}xx`);
    this.resolve({
      statusCode: this.statusCode,
      headers: relayableHeaders(this.headers, this.call.omitResponseHeaders),
      body,
    });
  }
}
