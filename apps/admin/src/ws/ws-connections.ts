/**
 * The admin socket's accept path (seed 004 "Admin WebSocket auth (T4-D-I7)"),
 * shared by `/api/v1/ws` and `/ws`. Gates, in order:
 *   1. per-IP accept limit in Redis: over the limit → 1008 +
 *      admin_ws_rate_limited_total{reason="ip"}; Redis down → production
 *      closes 1008 with reason="redis_outage", dev lets it through;
 *   2. the credential: a `?token=` in production → 4003; else the
 *      `bearer, <jwt>` subprotocol, or (dev + ADMIN_WS_ALLOW_QUERY_TOKEN=on)
 *      the query token with a WARN and admin_ws_legacy_query_token_total;
 *   3. the admin token, verified like every admin HTTP route (RS256, typ
 *      "admin", `admin_id` present, operator enabled) → 4001 otherwise;
 *   4. a timer closes the socket with 1008 at the token's `exp`.
 * Only then is the socket registered and sent the current top-info.
 * The IP is the one the HTTP routes see as `request.ip` (clientAddress(),
 * TRUSTED_PROXIES): behind the ingress the TCP peer is the ingress itself, so
 * keying on the peer made the limit one window shared by every operator. Only
 * entries appended by a trusted proxy are skipped, so a client cannot choose
 * its own address by sending X-Forwarded-For.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { type AdminConfig, APP_CONFIG, IS_PRODUCTION } from '@app/config';
import { Metrics } from '@app/observability';
import { clientAddress } from '@app/platform';
import { ADMIN_WS_TOKEN_VERIFIER, type AdminWsIdentity, type AdminWsTokenVerifier } from './ws-token';
import { decideCredential, WS_CLOSE } from './ws-auth';
import { WsAcceptLimiter } from './ws-rate-limit';
import { WsClientRegistry } from './ws-clients';
import { TOP_INFO_EVENT, TopInfoService } from './top-info.service';

/** setTimeout's ceiling (~24.8 days); longer lifetimes re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

@Injectable()
export class AdminWsConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('AdminWs');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AdminConfig,
    @Inject(IS_PRODUCTION) private readonly production: boolean,
    @Inject(ADMIN_WS_TOKEN_VERIFIER) private readonly verifier: AdminWsTokenVerifier,
    private readonly limiter: WsAcceptLimiter,
    private readonly clients: WsClientRegistry,
    private readonly topInfo: TopInfoService,
  ) {}

  async accept(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const ip = clientAddress(request);

    const verdict = await this.limiter.hit(ip, this.config.ADMIN_WS_RATE_LIMIT_PER_MIN);
    if (verdict === 'limited') {
      Metrics.adminWsRateLimited().inc({ reason: 'ip' });
      this.logger.warn({ ip, reason: 'ip' }, 'admin ws accept rate limited');
      return this.refuse(socket, WS_CLOSE.POLICY_VIOLATION, 'rate limited');
    }
    if (verdict === 'redis_outage') {
      if (this.production) {
        Metrics.adminWsRateLimited().inc({ reason: 'redis_outage' });
        this.logger.error({ ip, reason: 'redis_outage' }, 'admin ws refused: rate-limit store unavailable');
        return this.refuse(socket, WS_CLOSE.POLICY_VIOLATION, 'rate limit unavailable');
      }
      this.logger.warn(
        { ip, reason: 'redis_outage' },
        'admin ws rate-limit store unavailable; failing open outside production',
      );
    }

    const credential = decideCredential({
      protocolHeader: request.headers['sec-websocket-protocol'],
      url: request.url,
      production: this.production,
      allowQueryToken: this.config.ADMIN_WS_ALLOW_QUERY_TOKEN === 'on',
    });
    if (credential.kind === 'refuse') {
      this.logger.warn({ ip, reason: credential.reason }, 'admin ws refused');
      return this.refuse(
        socket,
        credential.code,
        credential.code === WS_CLOSE.QUERY_TOKEN_FORBIDDEN
          ? 'query token not allowed'
          : 'authentication required',
      );
    }
    if (credential.source === 'query') {
      Metrics.adminWsLegacyQueryToken().inc();
      // Never the token itself: only that the legacy carrier was used.
      this.logger.warn(
        { ip },
        'admin ws authenticated with the legacy ?token= query string; move the client to the bearer subprotocol',
      );
    }

    let identity: AdminWsIdentity;
    try {
      identity = await this.verifier.verify(credential.token);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? (err as Error).name;
      this.logger.warn({ ip, reason }, 'admin ws token refused');
      return this.refuse(socket, WS_CLOSE.UNAUTHORIZED, 'authentication required');
    }
    if (socket.readyState !== socket.OPEN) return;

    const cancelExpiry = this.closeAt(socket, identity.exp * 1000);
    if (socket.readyState !== socket.OPEN) return;
    this.clients.add(socket, { adminId: identity.adminId, cancelExpiry });
    socket.once('close', () => this.clients.remove(socket));
    this.logger.log({ admin_id: identity.adminId, source: credential.source }, 'admin ws connected');

    try {
      const snapshot = await this.topInfo.compute();
      this.clients.send(socket, TOP_INFO_EVENT, snapshot);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'admin ws initial top-info failed');
    }
  }

  /** Is this socket one that passed the gates (message handlers ignore the rest)? */
  isAuthenticated(socket: WebSocket): boolean {
    return this.clients.has(socket);
  }

  onApplicationShutdown(): void {
    this.clients.closeAll(1001, 'server shutting down');
  }

  private refuse(socket: WebSocket, code: number, reason: string): void {
    socket.close(code, reason);
  }

  /** Closes with 1008 when the token's `exp` passes (a connection cannot outlive its auth). */
  private closeAt(socket: WebSocket, expMs: number): () => void {
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      const delay = expMs - Date.now();
      if (delay <= 0) {
        this.clients.remove(socket);
        socket.close(WS_CLOSE.POLICY_VIOLATION, 'token expired');
        return;
      }
      timer = setTimeout(arm, Math.min(delay, MAX_TIMER_MS));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  }
}
