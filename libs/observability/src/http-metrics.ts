import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { counter, histogram } from './metrics';
import { counterTally, histogramTally } from './tally';

const ROUTE_LABEL = Symbol('http.routeLabel');
type Labelled = IncomingMessage & { [ROUTE_LABEL]?: string };

/**
 * Labels the HTTP metrics of this request with `template` (a route template,
 * never a raw path) instead of the Fastify route's: for a catch-all route
 * that serves several route families, such as the gateway's proxy.
 */
export function labelRoute(req: IncomingMessage, template: string): void {
  (req as Labelled)[ROUTE_LABEL] = template;
}

/**
 * `http_requests_total{service,method,route,status,brand}` and
 * `http_request_duration_seconds{service,method,route,brand}` (CONTRACTS §9),
 * labelled with the route template (never the raw path; labelRoute() may
 * name a narrower one) and the resolved brand carried on the raw request.
 */
export function registerHttpMetrics(fastify: FastifyInstance, service: string): void {
  const requests = counterTally(
    counter('http_requests_total', 'HTTP requests', [
      'service',
      'method',
      'route',
      'status',
      'brand',
    ] as const),
  );
  // Tallied: counted per label set in process and handed to prom-client when /metrics is read (tally.ts).
  const duration = histogramTally(
    histogram('http_request_duration_seconds', 'HTTP request duration', [
      'service',
      'method',
      'route',
      'brand',
    ] as const),
  );
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const route = (request.raw as Labelled)[ROUTE_LABEL] ?? request.routeOptions?.url ?? 'unmatched';
    if (route === '/metrics') return done();
    const brandId = (request.raw as { brandId?: number | null }).brandId;
    const brand = brandId ? String(brandId) : 'none';
    requests.inc({ service, method: request.method, route, status: String(reply.statusCode), brand });
    duration.observe({ service, method: request.method, route, brand }, reply.elapsedTime / 1000);
    done();
  });
}
