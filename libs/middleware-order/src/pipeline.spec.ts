import { Injectable, NestMiddleware } from '@nestjs/common';
import { MiddlewareOrderError, MiddlewarePipeline } from './pipeline';

@Injectable()
class A implements NestMiddleware {
  use(_req: unknown, _res: unknown, next: () => void) {
    next();
  }
}
@Injectable()
class B extends A {}

describe('MiddlewarePipeline', () => {
  it('keeps the declared order', () => {
    const p = new MiddlewarePipeline([
      { name: 'brand', middleware: A },
      { name: 'jwt', middleware: B },
    ]);
    expect(p.names()).toEqual(['brand', 'jwt']);
    expect(() => p.assertBefore('brand', 'jwt')).not.toThrow();
  });

  it('fails the assertion when brand resolution is moved after JWT auth', () => {
    const p = new MiddlewarePipeline([
      { name: 'jwt', middleware: B },
      { name: 'brand', middleware: A },
    ]);
    expect(() => p.assertBefore('brand', 'jwt')).toThrow(MiddlewareOrderError);
  });

  it('fails when a step is missing or duplicated', () => {
    const p = new MiddlewarePipeline([{ name: 'brand', middleware: A }]);
    expect(() => p.assertBefore('brand', 'jwt')).toThrow(/no step "jwt"/);
    expect(
      () =>
        new MiddlewarePipeline([
          { name: 'x', middleware: A },
          { name: 'x', middleware: B },
        ]),
    ).toThrow(/duplicate/);
  });
});

describe('MiddlewarePipeline.fastifyHook', () => {
  const order: string[] = [];
  const step = (name: string, behave: 'next' | 'throw' | 'reject' | 'async' = 'next'): NestMiddleware => ({
    use(_req: unknown, _res: unknown, next: (error?: unknown) => void) {
      order.push(name);
      if (behave === 'throw') throw new Error(`${name} failed`);
      if (behave === 'reject') return Promise.reject(new Error(`${name} rejected`));
      if (behave === 'async') return Promise.resolve().then(() => next());
      next();
    },
  });
  const pipeline = new MiddlewarePipeline([
    { name: 'first', middleware: A },
    { name: 'second', middleware: B },
  ]);
  const run = (steps: NestMiddleware[], url = '/api/x') =>
    new Promise<unknown>((resolve) => {
      const hook = pipeline.fastifyHook((type) => steps[type === A ? 0 : 1], ['/health']);
      hook({ raw: {}, url }, { raw: {} }, (error) => resolve(error ?? 'done'));
    });

  beforeEach(() => {
    order.length = 0;
  });

  it('runs the steps in the declared order, waiting for a step that continues later', async () => {
    expect(await run([step('first', 'async'), step('second')])).toBe('done');
    expect(order).toEqual(['first', 'second']);
  });

  it('skips the excluded paths entirely', async () => {
    expect(await run([step('first'), step('second')], '/health?probe=1')).toBe('done');
    expect(order).toEqual([]);
  });

  it('hands a thrown or rejected step error to Fastify and runs no later step', async () => {
    expect(await run([step('first', 'throw'), step('second')])).toEqual(new Error('first failed'));
    expect(order).toEqual(['first']);
    order.length = 0;
    expect(await run([step('first', 'reject'), step('second')])).toEqual(new Error('first rejected'));
    expect(order).toEqual(['first']);
  });
});
