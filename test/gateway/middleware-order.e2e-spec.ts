/**
 * issue 3 point 2 / gateway seed "Middleware-order structural assertion
 * (T7-B5 / T8-D2)": the pipeline is declared once, in the order request id →
 * brand resolution → JWT auth → session check → brand enforcement → rate
 * limit; this suite fails if a change reorders it (in particular if brand
 * resolution moves after JWT auth), and checks that Nest runs the steps in
 * the declared order on a real request.
 */
import type Redis from 'ioredis';
import { MiddlewarePipeline, MiddlewareOrderError } from '@app/middleware-order';
import {
  assertGatewayPipeline,
  GATEWAY_PIPELINE,
  GATEWAY_STEP_ORDER,
} from '../../apps/gateway/src/app.module';
import { BrandEnforcementMiddleware } from '../../apps/gateway/src/pipeline/brand-enforcement.middleware';
import { BrandResolutionMiddleware } from '../../apps/gateway/src/pipeline/brand-resolution.middleware';
import { JwtAuthMiddleware } from '../../apps/gateway/src/pipeline/jwt-auth.middleware';
import { RateLimitMiddleware } from '../../apps/gateway/src/pipeline/rate-limit.middleware';
import { SessionCheckMiddleware } from '../../apps/gateway/src/pipeline/session-check.middleware';
import type { BootedApp } from '../support/app';
import {
  bootGateway,
  closeDoubles,
  type Doubles,
  issuerFor,
  loginPlayer,
  makeKeyPair,
  seedAgentDomain,
  seedClient,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

describe('gateway middleware order', () => {
  it('declares brand resolution before JWT auth', () => {
    const names = GATEWAY_PIPELINE.names();
    expect(names.indexOf('brand-resolution')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('brand-resolution')).toBeLessThan(names.indexOf('jwt-auth'));
    expect(() => GATEWAY_PIPELINE.assertBefore('brand-resolution', 'jwt-auth')).not.toThrow();
  });

  it('declares exactly the required order', () => {
    expect(GATEWAY_PIPELINE.names()).toEqual([...GATEWAY_STEP_ORDER]);
    expect(GATEWAY_STEP_ORDER).toEqual([
      'request-id',
      'brand-resolution',
      'jwt-auth',
      'session-check',
      'brand-enforcement',
      'rate-limit',
    ]);
    expect(() => assertGatewayPipeline(GATEWAY_PIPELINE)).not.toThrow();
  });

  it('refuses a pipeline where brand resolution runs after JWT auth (the boot-time assertion)', () => {
    const steps = GATEWAY_PIPELINE.names().map((name, i) => ({
      name,
      middleware: GATEWAY_PIPELINE.classes()[i],
    }));
    const brand = steps.findIndex((s) => s.name === 'brand-resolution');
    const jwt = steps.findIndex((s) => s.name === 'jwt-auth');
    [steps[brand], steps[jwt]] = [steps[jwt], steps[brand]];
    expect(() => assertGatewayPipeline(new MiddlewarePipeline(steps))).toThrow(MiddlewareOrderError);
    expect(() =>
      assertGatewayPipeline(new MiddlewarePipeline(steps.filter((s) => s.name !== 'session-check'))),
    ).toThrow(MiddlewareOrderError);
  });

  describe('at runtime', () => {
    const keys = makeKeyPair();
    let doubles: Doubles;
    let gateway: BootedApp;
    let redis: Redis;
    const order: string[] = [];
    const spies: jest.SpyInstance[] = [];

    beforeAll(async () => {
      const probes: [string, { prototype: { use: (...args: never[]) => unknown } }][] = [
        ['brand-resolution', BrandResolutionMiddleware],
        ['jwt-auth', JwtAuthMiddleware],
        ['session-check', SessionCheckMiddleware],
        ['brand-enforcement', BrandEnforcementMiddleware],
        ['rate-limit', RateLimitMiddleware],
      ];
      for (const [name, cls] of probes) {
        const original = cls.prototype.use;
        spies.push(
          jest.spyOn(cls.prototype, 'use').mockImplementation(function (this: unknown, ...args: never[]) {
            order.push(name);
            return original.apply(this, args);
          }),
        );
      }
      redis = seedClient();
      doubles = await startDoubles();
      gateway = await bootGateway(doubles, keys);
    });

    afterAll(async () => {
      for (const spy of spies) spy.mockRestore();
      await gateway?.close();
      await closeDoubles(doubles);
      redis?.disconnect();
    });

    it('runs the steps in the declared order on an authenticated request', async () => {
      const host = uniqueHost();
      const brandId = uniqueBrandId();
      await seedAgentDomain(redis, host, brandId);
      const player = await loginPlayer(redis, issuerFor(keys), brandId);
      order.length = 0;
      const res = await send(gateway.url, '/api/v1/user/info', { host, token: player.token });
      expect(res.json.status).toBe(0);
      expect(order).toEqual([
        'brand-resolution',
        'jwt-auth',
        'session-check',
        'brand-enforcement',
        'rate-limit',
      ]);
    });
  });
});
