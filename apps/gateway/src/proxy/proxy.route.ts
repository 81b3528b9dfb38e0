/**
 * The proxy step: after the middleware pipeline, every request that is not
 * /health or /metrics lands on one catch-all route that forwards it (or
 * throws the pipeline's rejection, or 404 status 5 for unrouted paths).
 *
 * It is a native Fastify route rather than a Nest controller on purpose: a
 * reverse proxy has no params, pipes or guards to run, and Nest's per-route
 * execution context (plus, then, the no-op global guard and interceptor
 * nestjs-cls registered; the gateway no longer loads nestjs-cls at all, see
 * @app/observability context.ts) cost about as much CPU as the forwarding itself
 * (docs/performance.md). Errors still go through Nest's exception layer,
 * i.e. the app's one envelope filter, via Fastify's error handler.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { assertGatewayPipeline, GATEWAY_PIPELINE, GATEWAY_UNPIPED_PATHS } from '../pipeline/declaration';
import { ProxyService } from './proxy.service';

@Injectable()
export class ProxyRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: ProxyService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // The pipeline (request id → brand → JWT → session → enforcement → rate limit), in declared order.
    assertGatewayPipeline(GATEWAY_PIPELINE);
    fastify.addHook(
      'onRequest',
      GATEWAY_PIPELINE.fastifyHook(
        (type) => this.moduleRef.get(type, { strict: false }),
        GATEWAY_UNPIPED_PATHS,
      ),
    );
    // Every body is kept as the client's bytes (see proxy/body.ts); the proxy parses the few it edits.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    // A handler that returns nothing: forward() sends the reply itself (a streamed body is still
    // being written when it resolves, so a promise for Fastify to settle would be wrong), and its
    // rejections go to Fastify's error handler, i.e. the envelope filter, as a thrown error would.
    fastify.all('/*', (request, reply) => {
      this.proxy.forward(request, reply).catch((err: unknown) => {
        if (reply.sent) return;
        reply.send(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }
}
