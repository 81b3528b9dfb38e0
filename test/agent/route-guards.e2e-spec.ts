/**
 * Every documented agent route, from the committed OpenAPI snapshot: the
 * protected ones refuse a missing token (3, HTTP 200), a token of another
 * brand (51) and an agent whose brand membership is disabled (52, enforce);
 * every route refuses a domain that maps to no brand (50). So no route group
 * escapes the edge pipeline or the allow-list guard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, startHarness, twoBrands } from './support';
import { PROBE_PATHS } from '@app/health';

interface Operation {
  security?: unknown[];
}

const document = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'docs', 'reference', 'openapi', 'agent.json'), 'utf8'),
) as {
  paths: Record<string, Record<string, Operation>>;
};

const routes = Object.entries(document.paths)
  .filter(([path]) => !PROBE_PATHS.includes(path))
  .flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method === 'get' || method === 'post')
      .map(([method, op]) => ({
        method: method.toUpperCase() as 'GET' | 'POST',
        path: path.replace(/\{[^}]+\}/g, '1'),
        protected: Boolean(op.security?.length),
      })),
  );

describe('edge checks on every agent route', () => {
  let h: Harness;
  let hostA: string;
  let tokenOther: string;
  let tokenRevoked: string;

  beforeAll(async () => {
    h = await startHarness('route_guards');
    const brands = await twoBrands(h);
    hostA = brands.hostA;
    const both = await h.createAgent({});
    await h.setAgentBrand(both.id, brands.alpha, 'enabled');
    await h.setAgentBrand(both.id, brands.beta, 'enabled');
    tokenOther = await h.login(both, brands.hostB);
    const revoked = await h.createAgent({});
    await h.setAgentBrand(revoked.id, brands.alpha, 'enabled');
    tokenRevoked = await h.login(revoked, hostA);
    await h.setAgentBrand(revoked.id, brands.alpha, 'disabled');
    await h.redis.publish('AGENT_BRAND_CHANGED', JSON.stringify({ agent_id: revoked.id }));
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => h?.close());

  it('covers the route groups of the seed', () => {
    expect(routes.length).toBeGreaterThan(40);
    for (const group of [
      '/agent/home/',
      '/agent/withdraw/',
      '/agent/player/',
      '/agent/sub/',
      '/agent/bank/',
      '/agent/messages/',
      '/agent/coupon/',
      '/agent/provider/',
      '/agent/common/',
      '/agent/recovery/',
    ]) {
      expect(routes.some((r) => r.path.startsWith(group))).toBe(true);
    }
  });

  it.each(routes.filter((r) => r.protected).map((r) => [r.method, r.path] as const))(
    '%s %s needs a token of this brand and an enabled membership',
    async (method, path) => {
      const body = method === 'POST' ? {} : undefined;
      expect(await h.call(method, path, { host: hostA, body })).toMatchObject({ http: 200, status: 3 });
      expect(await h.call(method, path, { host: hostA, token: tokenOther, body })).toMatchObject({
        http: 403,
        status: 51,
      });
      expect(await h.call(method, path, { host: hostA, token: tokenRevoked, body })).toMatchObject({
        http: 403,
        status: 52,
      });
    },
  );

  it.each(routes.map((r) => [r.method, r.path] as const))(
    '%s %s refuses an unresolved domain with 50',
    async (method, path) => {
      const res = await h.call(method, path, {
        host: `nowhere-${h.tag}.test`,
        token: tokenOther,
        body: method === 'POST' ? {} : undefined,
      });
      expect(res).toMatchObject({ http: 400, status: 50 });
    },
  );
});
