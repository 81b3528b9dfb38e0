import type { IncomingMessage } from 'node:http';
import { Test } from '@nestjs/testing';
import { CLS_ID, ClsService } from 'nestjs-cls';
import {
  BRAND_CLS_KEY,
  currentBrandId,
  currentRequestId,
  NO_REQUEST_CONTEXT,
  REQUEST_CONTEXT,
  type RequestContextStore,
  setRequestContextStore,
} from '@app/observability';
import { ClsRequestContextModule } from './cls-request-context.module';
import { RequestContextMiddleware } from './request-context.middleware';

describe('ClsRequestContextModule', () => {
  let cls: ClsService;
  let store: RequestContextStore;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ClsRequestContextModule.forRoot()],
    }).compile();
    cls = moduleRef.get(ClsService);
    store = moduleRef.get(REQUEST_CONTEXT);
  });
  afterAll(() => setRequestContextStore(NO_REQUEST_CONTEXT));

  it('installs nestjs-cls as the request context the logger and enforcement lines read', () => {
    const req = { headers: { 'x-request-id': 'ctx-7' } } as unknown as IncomingMessage;
    let inside: unknown[] = [];
    new RequestContextMiddleware(cls).use(req, undefined, () => {
      store.set(BRAND_CLS_KEY, { brandId: 7 });
      inside = [store.isActive(), currentRequestId(), currentBrandId()];
    });
    expect(inside).toEqual([true, 'ctx-7', 7]);
    // Outside a request: nothing is active, and a set is dropped rather than thrown.
    store.set(BRAND_CLS_KEY, { brandId: 8 });
    expect([store.isActive(), currentRequestId(), currentBrandId()]).toEqual([false, null, null]);
  });

  it("holds the request's id and not the request itself", () => {
    const req = { headers: { 'x-request-id': 'ctx-1' } } as unknown as IncomingMessage;
    let held: Record<string | symbol, unknown> | undefined;
    new RequestContextMiddleware(cls).use(req, undefined, () => {
      held = { ...cls.get() } as Record<string | symbol, unknown>;
    });
    expect(held?.[CLS_ID]).toBe('ctx-1');
    // Anything that outlives the request keeps its context alive: the request must not be in it.
    expect(Object.values(held ?? {})).not.toContain(req);
    expect(Object.getOwnPropertySymbols(held ?? {}).map((key) => held?.[key])).not.toContain(req);
  });
});
