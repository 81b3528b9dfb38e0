/**
 * issue 3 points 1, 7 and 8: the last step of the pipeline forwards a routed
 * request to its owner service through the downstream client, with the
 * resolved brand (`X-Brand-Id`), the verified identity (`X-Player-Id`,
 * `X-Player-Account`, `X-Session-Jti`; the player service trusts them only
 * with the gateway's internal token), and signed wallet writes. Game launch
 * takes `player_id` from the JWT and runs the best-effort
 * `brand:provider_allowlist:{brand_id}` precheck (absent key: no precheck;
 * game_service rechecks authoritatively).
 *
 * Responses: a downstream JSON envelope keeps its body and gets the frontend
 * HTTP code of its `status` (CONTRACTS §2; internal surfaces answer 422/401…);
 * a downstream 5xx keeps its code; any other body is streamed through
 * unchanged. Hop-by-hop headers are dropped both ways; X-Request-ID is ours.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { BrandEnforcement } from '@app/brand-context';
import type { PlayerClaims } from '@app/auth';
import type { DownstreamMethod } from '@app/downstream';
import {
  DownstreamUnavailableError,
  ForbiddenError,
  httpCodeFor,
  InvalidInputError,
  isEnvelope,
  NotFoundError,
  Status,
} from '@app/http';
import { REDIS } from '@app/redis';
import { GATEWAY_OWNED_HEADERS } from '../pipeline/brand-resolution.middleware';
import { clientIp } from '../pipeline/client-ip';
import { type GatewayState, stateOf } from '../pipeline/request-state';
import type { RouteMatch } from '../routing/routes';
import { bodyBrandId, editableBody, type PlainObject, playerIdOf } from './body';
import { Downstreams } from './downstreams';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const FORWARDED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const KNOWN_STATUSES = new Set(Object.values(Status).filter((v): v is number => typeof v === 'number'));
/** Request headers never relayed as received: the client owns the framing, the gateway owns identity. */
const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'accept-encoding',
  'x-forwarded-for',
  ...GATEWAY_OWNED_HEADERS,
]);
/**
 * The player service identifies the player by X-Player-Id/-Account and X-Session-Jti, which it
 * trusts only with the gateway's internal token, and never reads the client's bearer token: the
 * token is not sent to it (least privilege, and ~800 bytes less per call). The other downstream
 * services are not ours and keep receiving it as before.
 */
const DROPPED_FOR_PLAYER_SERVICE: ReadonlySet<string> = new Set([
  ...DROPPED_REQUEST_HEADERS,
  'authorization',
]);
const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['content-length', 'x-request-id']);
const ENVELOPE_HEAD = /^\{"status":(\d{1,3}),"msg":/;

export function allowListKey(brandId: number): string {
  return `brand:provider_allowlist:${brandId}`;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

@Injectable()
export class ProxyService {
  private readonly logger = new Logger('Proxy');

  constructor(
    private readonly downstreams: Downstreams,
    private readonly enforcement: BrandEnforcement,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async forward(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!FORWARDED_METHODS.has(request.method)) throw new NotFoundError();
    const state = stateOf(request.raw);
    if (state.error) throw state.error;
    const route = state.route;
    if (!route) throw new NotFoundError();

    const contentType = first(request.headers['content-type']);
    const raw = Buffer.isBuffer(request.body) ? request.body : undefined;
    // Most routes forward the client's bytes as they are: no promise for those.
    const body = this.edits(route) ? await this.editedBody(raw, contentType, route, state) : raw;

    const method = request.method as DownstreamMethod;
    const q = request.url.indexOf('?');
    const query = q >= 0 ? new URLSearchParams(request.url.slice(q + 1)) : undefined;
    // Launch takes its player from the JWT only (seed 003), in the query as in the body.
    if (route.launch) query?.delete('player_id');
    const response = await this.downstreams.client.relay({
      target: route.target,
      baseUrl: this.downstreams.baseUrl(route.target),
      method,
      path: route.downstreamPath,
      query,
      headers: request.headers,
      omitHeaders: route.target === 'player' ? DROPPED_FOR_PLAYER_SERVICE : DROPPED_REQUEST_HEADERS,
      setHeaders: this.addedHeaders(request, state.claims, state.domain),
      omitResponseHeaders: DROPPED_RESPONSE_HEADERS,
      body,
      brandId: state.brandId,
      requestId: request.id,
      // Brand-scoped wallet writes are signed (ADR-009 "Signed X-Brand-Id"); without a brand there is nothing to sign.
      signBrand: route.target === 'wallet' && WRITE_METHODS.has(method) && state.brandId !== null,
    });
    if (response.statusCode >= 500) {
      // A server error downstream is that service failing (status 7). Its body is not relayed: it
      // may be a stack trace or a proxy's HTML page, not an envelope (CONTRACTS §2).
      if (typeof response.body !== 'string') response.body.destroy();
      this.logger.warn(
        {
          request_id: state.requestId,
          brand_id: state.brandId,
          target: route.target,
          downstream_status: response.statusCode,
        },
        'downstream server error',
      );
      throw new DownstreamUnavailableError(`${route.target} service unavailable`);
    }
    // Not awaited: a FastifyReply is thenable and awaiting it waits for the socket to finish.
    if (typeof response.body !== 'string') {
      // Not JSON: streamed through unchanged.
      reply.code(response.statusCode).headers(response.headers).send(response.body);
      return;
    }
    reply
      .code(this.frontendCode(response.statusCode, response.body))
      .headers(response.headers)
      .send(response.body);
  }

  /** What the gateway sets on top of the client's headers (which are relayed minus DROPPED_REQUEST_HEADERS). */
  private addedHeaders(
    request: FastifyRequest,
    claims: PlayerClaims | null,
    domain: string | null,
  ): Record<string, string> {
    const headers: Record<string, string> = {};
    const forwarded = first(request.headers['x-forwarded-for']);
    const peer = request.raw.socket?.remoteAddress;
    if (peer) headers['x-forwarded-for'] = forwarded ? `${forwarded}, ${peer}` : peer;
    else if (forwarded) headers['x-forwarded-for'] = forwarded;
    headers['x-client-ip'] = clientIp(request.raw);
    // The resolved request domain, so the player service can attribute a registration to the
    // domain's agent and level (seed 000) on canonical routes, where no `domain` body is injected.
    if (domain) headers['x-request-domain'] = domain;
    if (claims) {
      headers['x-player-id'] = claims.sub;
      headers['x-player-account'] = claims.account;
      headers['x-session-jti'] = claims.jti;
    }
    return headers;
  }

  /** True for the routes whose body the gateway edits (register check, launch player_id, legacy domain). */
  private edits(route: RouteMatch): boolean {
    return route.register || route.launch || (route.legacy && route.resolvesBrand);
  }

  /**
   * The bytes to forward: the client's own, unless this route edits the body
   * (register check, launch player_id, legacy domain), in which case the
   * edited object in the body's encoding.
   */
  private async editedBody(
    raw: Buffer | undefined,
    contentType: string | undefined,
    route: RouteMatch,
    state: GatewayState,
  ): Promise<Buffer | string | PlainObject | undefined> {
    const injectsDomain = route.legacy && route.resolvesBrand;
    if (!this.edits(route)) return raw;
    const editable = editableBody(raw, contentType);
    if (route.register && editable) this.assertRegisterBrand(editable.value, state);
    if (route.launch) {
      if (!editable && raw && raw.length > 0) throw new InvalidInputError('launch takes a JSON body');
      const launch = await this.launchBody(editable?.value ?? {}, state);
      const value = injectsDomain ? { ...launch, domain: state.domain } : launch;
      // Without a body of its own, the launch call is sent as JSON.
      return editable ? editable.encode(value) : value;
    }
    if (injectsDomain && editable) return editable.encode({ ...editable.value, domain: state.domain });
    return raw;
  }

  /** CONTRACTS §7: a register body brand_id other than the resolved brand is refused with 51, in every mode. */
  private assertRegisterBrand(body: PlainObject, state: GatewayState): void {
    if (body.brand_id === undefined || body.brand_id === null) return;
    const claimed = bodyBrandId(body.brand_id);
    if (claimed === null || claimed !== state.brandId) {
      this.enforcement.strictMismatch('register_body_brand_mismatch', {
        request_id: state.requestId,
        expectedBrandId: state.brandId,
        actualBrandId: claimed,
        domain: state.domain,
      });
    }
  }

  private async launchBody(body: PlainObject, state: GatewayState): Promise<PlainObject> {
    const claims = state.claims as PlayerClaims;
    const launch: PlainObject = { ...body, player_id: playerIdOf(claims.sub) };
    const providerId = launch.provider_id;
    const brandId = state.brandId ?? claims.brand_id;
    if (providerId !== undefined && providerId !== null) {
      const allowed = await this.allowList(brandId, state.requestId);
      if (allowed !== null && !allowed.has(String(providerId))) {
        throw new ForbiddenError('provider not enabled for this brand');
      }
    }
    return launch;
  }

  /** The brand's provider allow list, or null when there is none to check against (absent key, unreadable). */
  private async allowList(brandId: number, requestId: string): Promise<Set<string> | null> {
    let raw: string | null;
    try {
      raw = await this.redis.get(allowListKey(brandId));
    } catch (err) {
      this.logger.warn(
        { request_id: requestId, brand_id: brandId, err: (err as Error).message },
        'provider allow-list precheck skipped',
      );
      return null;
    }
    if (raw === null) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return new Set(parsed.map((id) => String(id)));
    } catch {
      // A malformed projection is skipped like an absent one: game_service decides.
    }
    this.logger.warn({ request_id: requestId, brand_id: brandId }, 'malformed provider allow list ignored');
    return null;
  }

  private frontendCode(statusCode: number, text: string): number {
    if (text === '') return statusCode;
    // Envelopes are serialised status-first; read the status without parsing the whole body.
    const head = ENVELOPE_HEAD.exec(text);
    let status: number | null = head ? Number(head[1]) : null;
    if (status === null) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (isEnvelope(parsed)) status = parsed.status;
      } catch {
        // Not JSON after all: relayed unchanged.
      }
    }
    return status !== null && KNOWN_STATUSES.has(status) ? httpCodeFor(status, 'frontend') : statusCode;
  }
}
