import { createServer, type Server } from 'node:http';
import { type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Logger } from 'nestjs-pino';
import { register } from 'prom-client';
import { ENFORCEMENT_MODE, SERVICE_NAME } from '@app/config';
import { evaluateHealth, HealthRegistry } from '@app/health';
import { requestIdFor } from '@app/observability';

/**
 * Workers are Nest application contexts (no HTTP stack) plus a tiny HTTP
 * server answering `/health` (readiness), `/healthz` (liveness) and
 * `/metrics` on their health port (CONTRACTS §1, §8).
 */
export async function createWorkerApp(module: Type | DynamicModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(module, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}

export function startHealthServer(app: INestApplicationContext, port: number, host: string): Promise<Server> {
  const registry = app.get(HealthRegistry);
  const health = app.get(HealthCheckService);
  const indicators = app.get(HealthIndicatorService);
  const service = app.get<string>(SERVICE_NAME);
  const mode = app.get(ENFORCEMENT_MODE);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    // CONTRACTS §3: X-Request-ID bound or generated, echoed on every response.
    res.setHeader('x-request-id', requestIdFor(req));
    if (req.method === 'GET' && (path === '/health' || path === '/healthz')) {
      const kind = path === '/health' ? 'readiness' : 'liveness';
      void evaluateHealth(health, indicators, registry, service, mode, kind).then(({ httpStatus, body }) => {
        res.writeHead(httpStatus, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      });
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      void register.metrics().then((text) => {
        res.writeHead(200, { 'content-type': register.contentType });
        res.end(text);
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ status: 5, msg: 'not found', data: null }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
