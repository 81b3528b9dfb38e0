import type { IncomingMessage } from 'node:http';
import { type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { type SurfaceResolver, EnvelopeExceptionFilter, envelopeValidationPipe } from '@app/http';
import { registerHttpMetrics, requestIdFor } from '@app/observability';

/** proxy-addr's names for 127.0.0.0/8 + ::1, 169.254.0.0/16 + fe80::/10, and 10/8, 172.16/12, 192.168/16 + fc00::/7. */
export const TRUSTED_PROXIES = 'loopback, linklocal, uniquelocal';

export interface HttpAppOptions {
  service: string;
  module: Type | DynamicModule;
  surface: SurfaceResolver;
  bodyLimitBytes?: number;
  /**
   * The peers trusted to append to X-Forwarded-For (Fastify's `trustProxy`). By default the
   * private and loopback ranges, where the deployment's ingress is (deploy/k8s/README.md
   * "Exposure"): `request.ip` is then the right-most entry not from such a proxy, which a client
   * cannot write. `true` would take the left-most entry, which the client chooses, and this
   * Fastify refuses a hop count.
   */
  trustProxy?: boolean | string;
  /** Quiet Nest's own bootstrap logs in tests. */
  bufferLogs?: boolean;
}

/**
 * Builds a Fastify-backed Nest app with the cross-cutting pieces every HTTP
 * app shares: X-Request-ID bound/generated and echoed (CONTRACTS §3), JSON
 * logs, the envelope exception filter of its surface, the validation pipe,
 * HTTP metrics, and graceful shutdown hooks.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? TRUSTED_PROXIES,
    genReqId: (req: IncomingMessage) => requestIdFor(req),
    requestIdHeader: false,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    bufferLogs: options.bufferLogs ?? true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    request.headers['x-request-id'] = request.id;
    reply.header('x-request-id', request.id);
    done();
  });
  registerHttpMetrics(fastify, options.service);
  app.useGlobalFilters(new EnvelopeExceptionFilter(options.surface));
  app.useGlobalPipes(envelopeValidationPipe());
  app.enableShutdownHooks();
  return app;
}

/** init + wait for Fastify to be ready (STACK pitfall 4); for tests that use inject/supertest. */
export async function readyForTest(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
