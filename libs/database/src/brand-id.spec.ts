import { BrandContextRequiredError, Status } from '@app/http';
import { asBrandId, isBrandId } from './brand-id';
import { BRAND_SCOPED_TABLES, isBrandScopedTable } from './tables';

describe('asBrandId', () => {
  it('accepts positive integers and their decimal strings', () => {
    expect(asBrandId(1)).toBe(1);
    expect(asBrandId(42)).toBe(42);
    expect(asBrandId(' 7 ')).toBe(7);
  });

  it.each([
    0,
    -1,
    1.5,
    Number.NaN,
    Number.MAX_SAFE_INTEGER + 1,
    '0',
    '-3',
    'abc',
    '1e3',
    '',
    null,
    undefined,
    {},
  ])('refuses %p with BRAND_CONTEXT_REQUIRED (54)', (value) => {
    let caught: unknown;
    try {
      asBrandId(value);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BrandContextRequiredError);
    expect((caught as BrandContextRequiredError).status).toBe(Status.BRAND_CONTEXT_REQUIRED);
  });

  it('isBrandId mirrors asBrandId for numbers', () => {
    expect(isBrandId(3)).toBe(true);
    expect(isBrandId(0)).toBe(false);
    expect(isBrandId('3')).toBe(false);
  });
});

describe('BRAND_SCOPED_TABLES', () => {
  it('lists the brand-scoped tables and not the global ones', () => {
    for (const table of [
      'player',
      'agent_domain',
      'agent_setting',
      'player_outbox',
      'admin_audit',
      'recovery_audit',
    ]) {
      expect(isBrandScopedTable(table)).toBe(true);
    }
    for (const table of ['brand', 'agent', 'provider', 'admin_operator', 'migrations']) {
      expect(isBrandScopedTable(table)).toBe(false);
    }
    expect(Object.isFrozen(BRAND_SCOPED_TABLES)).toBe(true);
  });
});
