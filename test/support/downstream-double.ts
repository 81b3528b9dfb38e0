/**
 * Recording test double for the downstream services this project calls but
 * does not build (wallet, game, rolling, promotion, recon; seeds INDEX). It is
 * a real HTTP server on 127.0.0.1 that checks what a real consumer checks
 * (CONTRACTS §3): the per-caller X-Internal-Service-Token for the named
 * X-Caller-Service (401 status 60 otherwise) and, where required, the
 * X-Brand-Signature (401 status 53), and records every call for assertions.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyBrandSignature } from '@app/auth';
import { constantTimeEqual } from '@app/crypto';

export interface DoubleCall {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON for JSON requests, the text otherwise, null when empty. */
  body: unknown;
  tokenValid: boolean;
  caller: string | null;
  /** null when no signature was sent and none was required. */
  signatureValid: boolean | null;
  /** Positive X-Brand-Id, else null. */
  brandId: number | null;
}

export interface DoubleReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (timeout tests). */
  delayMs?: number;
}

export interface DownstreamDoubleOptions {
  name: string;
  /** Accepted per-caller tokens: `{ gateway: 'tok-gw', admin: 'tok-admin' }`. */
  tokens: Record<string, string>;
  /** Legacy shared token accepted for any caller, when set. */
  legacyToken?: string;
  signingKey?: string;
  requireSignatureOn?: (call: DoubleCall) => boolean;
  respond?: (call: DoubleCall) => DoubleReply | Promise<DoubleReply>;
}

export interface DownstreamDouble {
  name: string;
  url: string;
  calls: DoubleCall[];
  lastCall(): DoubleCall | undefined;
  reset(): void;
  close(): Promise<void>;
}

const OK_REPLY: DoubleReply = { status: 200, body: { status: 0, msg: 'ok', data: null } };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseBrandId(value: string | undefined): number | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return null;
  const text = raw.toString('utf8');
  if (contentType && /json/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: DoubleReply): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | Buffer | undefined;
  if (Buffer.isBuffer(reply.body) || typeof reply.body === 'string') payload = reply.body;
  else if (reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    headers['content-type'] ??= 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export async function startDownstreamDouble(options: DownstreamDoubleOptions): Promise<DownstreamDouble> {
  if (options.requireSignatureOn && !options.signingKey) {
    throw new Error('downstream double: requireSignatureOn needs a signingKey');
  }
  const calls: DoubleCall[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const tokenValid = (caller: string | undefined, token: string | undefined): boolean => {
    if (!caller || !token) return false;
    const expected = Object.prototype.hasOwnProperty.call(options.tokens, caller)
      ? options.tokens[caller]
      : undefined;
    if (expected && constantTimeEqual(expected, token)) return true;
    return Boolean(options.legacyToken) && constantTimeEqual(options.legacyToken as string, token);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://double.invalid');
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? values[0] : values;
    }
    const caller = header(req.headers, 'x-caller-service');
    const call: DoubleCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: req.headers,
      body: parseBody(raw, header(req.headers, 'content-type')),
      tokenValid: tokenValid(caller, header(req.headers, 'x-internal-service-token')),
      caller: caller ?? null,
      signatureValid: null,
      brandId: parseBrandId(header(req.headers, 'x-brand-id')),
    };
    const required = options.requireSignatureOn?.(call) ?? false;
    const signature = header(req.headers, 'x-brand-signature');
    if (required || (signature !== undefined && options.signingKey)) {
      call.signatureValid = verifyBrandSignature({
        key: options.signingKey,
        caller,
        brandId: header(req.headers, 'x-brand-id'),
        requestId: header(req.headers, 'x-request-id'),
        timestamp: header(req.headers, 'x-brand-timestamp'),
        signature,
      });
    }
    calls.push(call);

    if (!call.tokenValid) {
      send(res, { status: 401, body: { status: 60, msg: 'internal token invalid', data: null } });
      return;
    }
    if (required && !call.signatureValid) {
      send(res, { status: 401, body: { status: 53, msg: 'brand signature invalid', data: null } });
      return;
    }
    const reply = options.respond ? await options.respond(call) : OK_REPLY;
    if (reply.delayMs && reply.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, reply.delayMs);
        timers.add(timer);
      });
    }
    send(res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, {
        status: 500,
        body: { status: 1, msg: `double ${options.name} failed: ${String(err)}`, data: null },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    calls,
    lastCall: () => calls[calls.length - 1],
    reset: () => {
      calls.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
