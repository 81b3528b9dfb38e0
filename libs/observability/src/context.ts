import { type DynamicModule, Global, Module } from '@nestjs/common';

/**
 * The request context: values one request carries through its async work
 * (the request id, the resolved brand) without passing them along by hand.
 *
 * This lib only defines the access to it. Apps that want one install
 * `ClsRequestContextModule` from `@app/request-context` (nestjs-cls); the
 * others get `NoRequestContextModule`, where nothing is ever active. The
 * gateway is one of those: Node 20 implements AsyncLocalStorage with async
 * hooks and V8 promise hooks, which every promise, tick and timer of the
 * process then pays (about 15% of the gateway's CPU per proxied request,
 * measured: docs/performance.md); its request state lives on the request
 * and its request-path log lines carry `request_id` and `brand_id` themselves.
 * Keeping nestjs-cls out of this lib keeps it out of such an app's bundle:
 * merely loading nestjs-cls enables the hooks.
 */
export const BRAND_CLS_KEY = 'brand';

/** DI token of the RequestContextStore. */
export const REQUEST_CONTEXT = Symbol('REQUEST_CONTEXT');

export interface RequestContextStore {
  /** True inside a request's context. */
  isActive(): boolean;
  get<T>(key: string): T | undefined;
  /** Sets a value in the active context; does nothing outside one. */
  set(key: string, value: unknown): void;
  /** The request id of the active context, else null. */
  requestId(): string | null;
}

/** The store of apps without a request context: never active. */
export const NO_REQUEST_CONTEXT: RequestContextStore = {
  isActive: () => false,
  get: () => undefined,
  set: () => undefined,
  requestId: () => null,
};

let store: RequestContextStore = NO_REQUEST_CONTEXT;

/** Installs the process's store (ClsRequestContextModule does; one request context per process). */
export function setRequestContextStore(next: RequestContextStore): void {
  store = next;
}

/**
 * Read-only access to the request context for code outside DI (logger mixin,
 * enforcement log lines). The brand context lib writes `BRAND_CLS_KEY`.
 */
export function currentBrandId(): number | null {
  if (!store.isActive()) return null;
  return store.get<{ brandId: number | null }>(BRAND_CLS_KEY)?.brandId ?? null;
}

export function currentRequestId(): string | null {
  return store.isActive() ? store.requestId() : null;
}

/** REQUEST_CONTEXT for apps without a request context (the gateway, the workers). */
@Global()
@Module({})
export class NoRequestContextModule {
  static forRoot(): DynamicModule {
    return {
      module: NoRequestContextModule,
      providers: [{ provide: REQUEST_CONTEXT, useValue: NO_REQUEST_CONTEXT }],
      exports: [REQUEST_CONTEXT],
    };
  }
}
