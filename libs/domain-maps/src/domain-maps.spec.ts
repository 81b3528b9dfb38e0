import { agentDomainValue, levelDomainValue, normalizeDomain } from './index';

describe('domain map values', () => {
  it('matches the projections of CONTRACTS §4', () => {
    expect(JSON.parse(agentDomainValue(7, 2))).toEqual({ agent_id: 7, brand_id: 2 });
    expect(JSON.parse(levelDomainValue(3, 2))).toEqual({ level: 3, brand_id: 2 });
  });
});

describe('normalizeDomain', () => {
  it('lowercases and strips a trailing dot', () => {
    expect(normalizeDomain(' Alpha.Example.COM. ')).toBe('alpha.example.com');
  });

  it('refuses ports, schemes, paths, empty labels and bad characters', () => {
    for (const bad of ['alpha.example.com:80', 'https://alpha.example.com', 'a/b', 'a..b', '-a.com', 'a_b.com', '', 'x'.repeat(254)]) {
      expect(normalizeDomain(bad)).toBeNull();
    }
  });
});
