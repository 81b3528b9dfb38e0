import type { IncomingMessage } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { requestIdFor } from '@app/observability';

/**
 * The request-context step for a hot path: the same CLS context as
 * nestjs-cls' ClsMiddleware with this module's options (id = X-Request-ID,
 * the request not saved: see ObservabilityModule), opened with
 * `ClsService.runWith` synchronously. The
 * library's middleware awaits its id generator and setup inside an async
 * callback; each of those promises pays Node 20's async-hook cost, once per
 * request, and the gateway (whose steps run synchronously whenever they can)
 * does not need that. It does not register the context for CLS guards or
 * interceptors, which these apps do not mount.
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  constructor(private readonly cls: ClsService) {}

  use(req: IncomingMessage, _res: unknown, next: (error?: unknown) => void): void {
    this.cls.runWith({ [CLS_ID]: requestIdFor(req) }, () => next());
  }
}
