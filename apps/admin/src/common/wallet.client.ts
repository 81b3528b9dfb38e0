/**
 * admin → wallet_service (ADR-005/ADR-009: wallet_service is the only money
 * writer; admin orchestrates). Every call carries admin's per-caller token
 * and, for brand-scoped commands, the signed X-Brand-Id. Money commands are
 * POSTs under /internal/wallet/... with an idempotency key derived from the
 * row and action, so a retried approval cannot move money twice.
 * A command succeeds on a 2xx whose envelope (if any) has status 0. A 4xx
 * envelope that names a business outcome (1, 2, 5, 8, 51) is passed on with
 * the wallet's status; anything else (network, timeout, 5xx, malformed) is
 * status 7. Either way nothing is audited: the action did not happen.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type AdminConfig, APP_CONFIG, SERVICE_NAME } from '@app/config';
import { DownstreamClient, type DownstreamMethod, type DownstreamResponse } from '@app/downstream';
import { DomainError, DownstreamUnavailableError, isEnvelope, Status } from '@app/http';
import type { BrandId } from '@app/database';
import { requestId } from './request-context';

const PASSED_THROUGH = new Set<number>([
  Status.FAILED,
  Status.INVALID_INPUT,
  Status.NOT_FOUND,
  Status.CONFLICT,
  Status.BRAND_MISMATCH,
]);

export interface WalletCommand {
  brandId: BrandId;
  path: string;
  body: Record<string, unknown>;
}

@Injectable()
export class WalletClient implements OnApplicationShutdown {
  private readonly logger = new Logger('WalletClient');
  private readonly client: DownstreamClient;
  private readonly baseUrl: string;

  constructor(@Inject(APP_CONFIG) config: AdminConfig, @Inject(SERVICE_NAME) service: string) {
    this.baseUrl = config.WALLET_SERVICE_URL;
    this.client = new DownstreamClient({
      caller: 'admin',
      token: config.INTERNAL_SERVICE_TOKEN_ADMIN,
      legacyToken: config.INTERNAL_SERVICE_TOKEN,
      signingKey: config.BRAND_SIGNING_KEY,
      timeoutMs: config.DOWNSTREAM_TIMEOUT_MS,
      service,
    });
  }

  /** A signed, brand-scoped wallet command; returns the envelope's `data`. */
  async command<T = Record<string, unknown>>(cmd: WalletCommand): Promise<T> {
    const response = await this.send('POST', cmd.path, cmd.brandId, undefined, cmd.body, true);
    const body = response.body;
    const ok =
      response.statusCode >= 200 &&
      response.statusCode < 300 &&
      (!isEnvelope(body) || body.status === Status.OK);
    if (ok) return (isEnvelope(body) ? body.data : body) as T;
    if (
      response.statusCode >= 400 &&
      response.statusCode < 500 &&
      isEnvelope(body) &&
      PASSED_THROUGH.has(body.status)
    ) {
      throw new DomainError(body.status as Status, body.msg);
    }
    this.logger.warn(
      { path: cmd.path, status_code: response.statusCode, brand_id: cmd.brandId },
      'wallet command failed',
    );
    throw new DownstreamUnavailableError('wallet service unavailable');
  }

  /** Relays a wallet control-plane call (topologies, policies) with the brand pinned; the response is returned as is. */
  forward(
    method: DownstreamMethod,
    path: string,
    brandId: BrandId,
    query: URLSearchParams,
    body: unknown,
  ): Promise<DownstreamResponse> {
    return this.send(method, path, brandId, query, body, method !== 'GET' && method !== 'HEAD');
  }

  private async send(
    method: DownstreamMethod,
    path: string,
    brandId: BrandId,
    query: URLSearchParams | undefined,
    body: unknown,
    signBrand: boolean,
  ): Promise<DownstreamResponse> {
    try {
      return await this.client.call({
        target: 'wallet',
        baseUrl: this.baseUrl,
        method,
        path,
        query,
        body,
        brandId,
        requestId: requestId(),
        signBrand,
      });
    } catch (err) {
      if (err instanceof DomainError) throw err;
      // Missing token or signing key: a deployment problem, reported as the downstream being unavailable.
      this.logger.error(
        { path, err: err instanceof Error ? err.message : String(err) },
        'wallet call could not be made',
      );
      throw new DownstreamUnavailableError('wallet service unavailable');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
