import { BrandMismatchError, BrandNotAllowedError, BrandUnresolvedError } from '@app/http';
import { register } from 'prom-client';
import { parseBinding } from './domain-map';
import { BrandEnforcement } from './enforcement';
import { extractDomain, parseBrandIdHeader } from './parse';

async function failures(reason: string, service: string): Promise<number> {
  const metric = await register.getSingleMetric('brand_resolution_failed_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason && v.labels.service === service)?.value ?? 0;
}

describe('parseBrandIdHeader', () => {
  it('accepts positive decimal integers only', () => {
    expect(parseBrandIdHeader('7')).toBe(7);
    expect(parseBrandIdHeader(' 12 ')).toBe(12);
    for (const bad of ['0', '-1', 'abc', '1.5', '1e3', '', '0x10', '99999999999', undefined, null]) {
      expect(parseBrandIdHeader(bad as string)).toBeNull();
    }
  });
});

describe('extractDomain', () => {
  it('prefers the Origin host over Host, strips the port and lowercases', () => {
    expect(extractDomain({ origin: 'https://Alpha.Example.com:8443', host: 'beta.example.com' })).toBe('alpha.example.com');
    expect(extractDomain({ host: 'Beta.Localhost:3000' })).toBe('beta.localhost');
  });

  it('falls back to Host when Origin is null or malformed', () => {
    expect(extractDomain({ origin: 'null', host: 'beta.localhost' })).toBe('beta.localhost');
    expect(extractDomain({ origin: '::not a url', host: 'beta.localhost' })).toBe('beta.localhost');
    expect(extractDomain({})).toBeNull();
  });
});

describe('parseBinding', () => {
  it('reads brand, agent and level from the projections', () => {
    expect(parseBinding('{"agent_id":3,"brand_id":2}', null)).toEqual({ brandId: 2, agentId: 3, level: null });
    expect(parseBinding(null, '{"level":4,"brand_id":5}')).toEqual({ brandId: 5, agentId: null, level: 4 });
  });

  it('resolves nothing from malformed or brandless entries', () => {
    expect(parseBinding('{"agent_id":3}', null)).toBeNull();
    expect(parseBinding('not json', null)).toBeNull();
    expect(parseBinding('{"agent_id":3,"brand_id":0}', null)).toBeNull();
  });
});

describe('BrandEnforcement', () => {
  it('off: unresolved domains pass (counted), mismatches pass uncounted', async () => {
    const e = new BrandEnforcement('off', 'svc_off');
    expect(e.unresolvedDomain({ domain: 'x' })).toBe('pass');
    expect(await failures('domain_unresolved', 'svc_off')).toBe(1);
    expect(e.mismatch('jwt_brand_mismatch', { expectedBrandId: 1, actualBrandId: 2 })).toBe('pass');
    expect(await failures('jwt_brand_mismatch', 'svc_off')).toBe(0);
  });

  it('observe: rejects unresolved domains with 50, counts mismatches and keeps the request brand', async () => {
    const e = new BrandEnforcement('observe', 'svc_obs');
    expect(() => e.unresolvedDomain({ domain: 'x' })).toThrow(BrandUnresolvedError);
    expect(e.mismatch('jwt_brand_mismatch', { expectedBrandId: 1, actualBrandId: 2 })).toBe('use_request_brand');
    expect(e.notAllowed('agent_brand_not_allowed', { brandId: 1 })).toBe('pass');
    expect(await failures('jwt_brand_mismatch', 'svc_obs')).toBe(1);
    expect(await failures('agent_brand_not_allowed', 'svc_obs')).toBe(1);
  });

  it('enforce: rejects with 51 and 52', () => {
    const e = new BrandEnforcement('enforce', 'svc_enf');
    expect(() => e.mismatch('jwt_brand_mismatch', {})).toThrow(BrandMismatchError);
    expect(() => e.notAllowed('agent_brand_not_allowed', {})).toThrow(BrandNotAllowedError);
  });

  it('strict checks reject in every mode', async () => {
    for (const mode of ['off', 'observe', 'enforce'] as const) {
      const e = new BrandEnforcement(mode, `svc_strict_${mode}`);
      expect(() => e.strictMismatch('recovery_brand_mismatch', {})).toThrow(BrandMismatchError);
      expect(await failures('recovery_brand_mismatch', `svc_strict_${mode}`)).toBe(1);
    }
  });
});
