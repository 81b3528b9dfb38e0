import type { IncomingMessage } from 'node:http';
import { register } from 'prom-client';
import { counter, Metrics } from './metrics';
import { requestIdFor, sanitizeRequestId } from './request-id';

describe('X-Request-ID', () => {
  it('binds a valid client id', () => {
    expect(sanitizeRequestId('abc-123_X.y')).toBe('abc-123_X.y');
    expect(requestIdFor({ headers: { 'x-request-id': 'req-1' } } as unknown as IncomingMessage)).toBe('req-1');
  });

  it('replaces invalid or over-long ids with a UUID v4', () => {
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', '']) {
      expect(sanitizeRequestId(bad)).toBeNull();
      expect(requestIdFor({ headers: { 'x-request-id': bad } } as unknown as IncomingMessage)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });
});

describe('metrics', () => {
  it('returns the same metric for the same name', () => {
    expect(counter('obs_test_total', 'x', ['a'] as const)).toBe(counter('obs_test_total', 'x', ['a'] as const));
  });

  it('exposes the seed metric names', async () => {
    Metrics.jwtUnknownKid().inc({ service: 'gateway' });
    Metrics.enforcementMode().set({ service: 'gateway' }, 2);
    const text = await register.metrics();
    expect(text).toContain('gateway_jwt_unknown_kid_total{service="gateway"} 1');
    expect(text).toContain('multi_brand_enforcement_mode{service="gateway"} 2');
  });
});
