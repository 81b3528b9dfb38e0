import type { IncomingMessage } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { requestIdFor } from '@app/observability';

/**
 * Step 1 of the pipeline: the request id (X-Request-ID, CONTRACTS §3) is
 * decided before anything else and kept on the request, where the later
 * steps, the proxy (downstream X-Request-ID) and the request-path log lines
 * read it. The gateway runs no request context (AsyncLocalStorage): see
 * @app/observability context.ts.
 */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  use(req: IncomingMessage, _res: unknown, next: (error?: unknown) => void): void {
    req.headers['x-request-id'] = requestIdFor(req);
    next();
  }
}
