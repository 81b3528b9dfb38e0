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
