/** agent_service wiring that must not drift: pipeline order (brand before JWT), guard order, and the pure helpers. */
import { RequestMethod } from '@nestjs/common';
import { ClsMiddleware } from 'nestjs-cls';
import { AGENT_GUARDS, AGENT_PIPELINE, AgentModule, PIPELINE_EXCLUDES } from './app.module';
import { bearerToken, AgentJwtMiddleware } from './edge/agent-jwt.middleware';
import { AgentBrandResolutionMiddleware } from './edge/brand-resolution.middleware';
import { AgentAuthGuard, AgentBrandGuard } from './edge/guards';
import { legacyAliases, openApiPath } from './http/route';
import { dayRange, MAX_RANGE_DAYS } from './shared/paging';
import { cents, fromCents } from './withdraw/withdraw.service';

describe('agent pipeline', () => {
  it('runs request-id, then brand resolution, then JWT auth', () => {
    expect(AGENT_PIPELINE.names()).toEqual(['request-id', 'brand-resolution', 'agent-jwt-auth']);
    expect(AGENT_PIPELINE.classes()).toEqual([
      ClsMiddleware,
      AgentBrandResolutionMiddleware,
      AgentJwtMiddleware,
    ]);
    expect(() => AGENT_PIPELINE.assertBefore('brand-resolution', 'agent-jwt-auth')).not.toThrow();
  });

  it('applies the steps in that order to every route but /health and /metrics', () => {
    const applied: unknown[] = [];
    const excluded: unknown[] = [];
    const routes: unknown[] = [];
    const proxy = {
      exclude: (...paths: unknown[]) => {
        excluded.push(...paths);
        return proxy;
      },
      forRoutes: (...r: unknown[]) => {
        routes.push(...r);
        return consumer;
      },
    };
    const consumer = {
      apply: (...classes: unknown[]) => {
        applied.push(...classes);
        return proxy;
      },
    };
    new AgentModule().configure(consumer as never);
    expect(applied).toEqual([ClsMiddleware, AgentBrandResolutionMiddleware, AgentJwtMiddleware]);
    expect(excluded).toEqual(PIPELINE_EXCLUDES.map((path) => ({ path, method: RequestMethod.ALL })));
    expect(routes).toEqual([{ path: '{*path}', method: RequestMethod.ALL }]);
  });

  it('checks the token before the allow list', () => {
    expect([...AGENT_GUARDS]).toEqual([AgentAuthGuard, AgentBrandGuard]);
  });
});

describe('agent helpers', () => {
  it('reads only well-formed Bearer tokens', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   x ')).toBe('x');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer a b')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });

  it('computes money in integer cents', () => {
    expect(cents('12345.6')).toBe(1234560n);
    expect(cents('0.07')).toBe(7n);
    expect(fromCents(1234560n)).toBe('12345.60');
    expect(fromCents(-5n)).toBe('-0.05');
  });

  it('defaults a day range to the last 7 UTC days and bounds it', () => {
    expect(dayRange({}, new Date('2026-03-10T23:59:00Z'))).toEqual({
      start: '2026-03-04',
      end: '2026-03-10',
    });
    expect(dayRange({ start: '2026-01-01', end: '2026-01-01' })).toEqual({
      start: '2026-01-01',
      end: '2026-01-01',
    });
    expect(() => dayRange({ start: '2026-02-29' })).toThrow();
    expect(() => dayRange({ start: '2026-01-02', end: '2026-01-01' })).toThrow();
    expect(() => dayRange({ start: '2025-01-01', end: '2026-01-01' })).toThrow();
    expect(MAX_RANGE_DAYS).toBe(93);
  });

  it('registers every legacy alias with its twin in OpenAPI path syntax', () => {
    expect(openApiPath('messages/:id')).toBe('/messages/{id}');
    const byPath = new Map(legacyAliases().map((a) => [`${a.method} ${a.path}`, a.twin]));
    expect(byPath.get('POST /user/login')).toBe('/agent/login');
    expect(byPath.get('POST /user/refresh_token')).toBe('/agent/refresh');
    expect(byPath.get('GET /agent/agentStatistic')).toBe('/agent/sub/statistic');
    expect(byPath.get('GET /agent/statisticDaily')).toBe('/agent/home/statistic/daily');
    expect(byPath.get('GET /messages/{id}')).toBe('/agent/messages/{id}');
  });
});
