import { CALLER_SERVICES, type CallerService } from '@app/config';
import { constantTimeEqual } from '@app/crypto';
import { InternalTokenInvalidError } from '@app/http';
import { Metrics } from '@app/observability';

/**
 * Per-caller internal service tokens (ADR-009 "Internal service tokens";
 * CONTRACTS §3). The caller names itself in `X-Caller-Service`; the token in
 * `X-Internal-Service-Token` must equal that caller's own
 * `INTERNAL_SERVICE_TOKEN_{CALLER}`, so one caller's leaked token cannot
 * impersonate another. The legacy shared `INTERNAL_SERVICE_TOKEN` is
 * accepted (and counted in `internal_legacy_token_total{service,caller}`)
 * only while `PER_CALLER_TOKEN_REQUIRED` is off. Every refusal is counted in
 * `internal_token_rejected_total{service,reason}`; tokens are compared in
 * constant time and never logged.
 */

export const INTERNAL_TOKEN_HEADER = 'x-internal-service-token';
export const CALLER_SERVICE_HEADER = 'x-caller-service';

export type InternalTokenRejectReason =
  | 'missing_caller'
  | 'unknown_caller'
  | 'caller_not_allowed'
  | 'missing_token'
  | 'duplicate_header'
  | 'bad_token'
  | 'legacy_token_refused'
  | 'no_callers_declared';

/** `InternalTokenInvalidError` (status 60) with the reason, for logs and tests. */
export class InternalTokenRejectedError extends InternalTokenInvalidError {
  constructor(readonly reason: InternalTokenRejectReason) {
    super();
  }
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface InternalTokenVerifierOptions {
  tokens: Partial<Record<CallerService, string>>;
  legacyToken?: string;
  perCallerRequired: boolean;
  /** Metric label of the consuming service, e.g. `player_service`. */
  service: string;
}

const isBlank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

/** One header value; Node lowercases names, but plain objects in tests and proxies may not. */
function headerValue(headers: HeaderBag, name: string): string | string[] | undefined {
  if (headers[name] !== undefined) return headers[name];
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

export class InternalTokenVerifier {
  private readonly tokens = new Map<CallerService, string>();
  private readonly legacyToken: string | null;

  constructor(private readonly options: InternalTokenVerifierOptions) {
    for (const caller of CALLER_SERVICES) {
      const token = options.tokens[caller];
      // A blank configured token would match a blank header: treat it as unset.
      if (!isBlank(token)) this.tokens.set(caller, token as string);
    }
    this.legacyToken = isBlank(options.legacyToken) ? null : (options.legacyToken as string);
  }

  /** Returns the authenticated caller or throws `InternalTokenRejectedError`. */
  verify(headers: HeaderBag, allowedCallers: readonly CallerService[]): CallerService {
    const callerRaw = this.single(headerValue(headers, CALLER_SERVICE_HEADER));
    if (callerRaw === undefined) return this.reject('missing_caller');
    const caller = callerRaw.trim().toLowerCase() as CallerService;
    if (!CALLER_SERVICES.includes(caller)) return this.reject('unknown_caller');
    if (!allowedCallers.includes(caller)) return this.reject('caller_not_allowed');

    const token = this.single(headerValue(headers, INTERNAL_TOKEN_HEADER));
    if (token === undefined) return this.reject('missing_token');

    const own = this.tokens.get(caller);
    // Both comparisons always run, so timing does not tell which one matched.
    const ownMatch = own !== undefined && constantTimeEqual(token, own);
    const legacyMatch = this.legacyToken !== null && constantTimeEqual(token, this.legacyToken);
    if (ownMatch) return caller;
    if (legacyMatch) {
      if (this.options.perCallerRequired) return this.reject('legacy_token_refused');
      Metrics.internalLegacyToken().inc({ service: this.options.service, caller });
      return caller;
    }
    return this.reject('bad_token');
  }

  /** Counts and throws; used by the guard for its own refusals too. */
  reject(reason: InternalTokenRejectReason): never {
    Metrics.internalTokenRejected().inc({ service: this.options.service, reason });
    throw new InternalTokenRejectedError(reason);
  }

  private single(value: string | string[] | undefined): string | undefined {
    if (Array.isArray(value)) {
      if (value.length > 1) this.reject('duplicate_header');
      value = value[0];
    }
    return isBlank(value) ? undefined : value;
  }
}
