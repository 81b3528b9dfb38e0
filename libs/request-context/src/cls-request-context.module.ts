import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ClsModule, ClsService } from 'nestjs-cls';
import {
  REQUEST_CONTEXT,
  type RequestContextStore,
  requestIdFor,
  setRequestContextStore,
} from '@app/observability';

/** RequestContextStore over nestjs-cls (the context's id is the request id). */
function clsStore(cls: ClsService): RequestContextStore {
  return {
    isActive: () => cls.isActive(),
    get: <T>(key: string) => cls.get(key) as T | undefined,
    set: (key, value) => {
      if (cls.isActive()) cls.set(key, value);
    },
    requestId: () => cls.getId() ?? null,
  };
}

/**
 * The request context of player, agent and admin: nestjs-cls with the id =
 * X-Request-ID, installed as the process's RequestContextStore (logger
 * mixin, enforcement lines, BrandContextService). ClsMiddleware is not
 * auto-mounted: each app's pipeline runs it (or RequestContextMiddleware)
 * first. The gateway does without (see @app/observability context.ts).
 */
@Global()
@Module({})
export class ClsRequestContextModule {
  static forRoot(): DynamicModule {
    return {
      module: ClsRequestContextModule,
      imports: [
        ClsModule.forRoot({
          global: true,
          // No proxy providers and no CLS plugins are used: skip their per-request resolution and
          // hooks (two awaits per request, each paying the async-hook cost).
          middleware: {
            mount: false,
            generateId: true,
            idGenerator: (req) => requestIdFor(req),
            // The context holds the request id and the brand, never the request: an async resource
            // that outlives its request (a timer it started, a pooled socket it opened) keeps the
            // context alive, and with the request in it, the whole request (docs/performance.md).
            saveReq: false,
            resolveProxyProviders: false,
            initializePlugins: false,
          },
        }),
      ],
      providers: [
        {
          provide: REQUEST_CONTEXT,
          useFactory: (cls: ClsService): RequestContextStore => {
            const store = clsStore(cls);
            setRequestContextStore(store);
            return store;
          },
          inject: [ClsService],
        },
      ],
      exports: [ClsModule, REQUEST_CONTEXT],
    };
  }
}
