/** Boot checks of the job transaction limits, and per-brand isolation of a run. */
import { BootGuardError, loadConfig } from '@app/config';
import { asBrandId } from '@app/database';
import { workerOptions } from '../admin-worker.module';
import type { CatalogBrand } from './brand-catalog';
import { BrandFailuresError, forEachBrand } from './per-brand';
import { assertJobTimeouts } from './worker-options';

const config = (env: Record<string, string> = {}) =>
  loadConfig('admin-worker', { MULTI_BRAND_ENFORCEMENT: 'observe', PORT: '0', ...env });

describe('job transaction timeouts', () => {
  it('defaults to a 60 s statement and a 10 s lock timeout', () => {
    const options = workerOptions(config(), false);
    expect([options.statementTimeoutMs, options.lockTimeoutMs]).toEqual([60_000, 10_000]);
  });

  it('refuses a non-integer, zero or out-of-range value at boot, naming the variable', () => {
    for (const [name, value] of [
      ['ADMIN_WORKER_LOCK_TIMEOUT_MS', '0'],
      ['ADMIN_WORKER_LOCK_TIMEOUT_MS', 'soon'],
      ['ADMIN_WORKER_STATEMENT_TIMEOUT_MS', '1.5'],
      ['ADMIN_WORKER_STATEMENT_TIMEOUT_MS', '3600001'],
    ]) {
      expect(() => config({ [name]: value })).toThrow(BootGuardError);
      expect(() => config({ [name]: value })).toThrow(name);
    }
  });

  it('refuses a lock timeout above the statement timeout', () => {
    const bad = config({ ADMIN_WORKER_STATEMENT_TIMEOUT_MS: '1000', ADMIN_WORKER_LOCK_TIMEOUT_MS: '2000' });
    expect(() => workerOptions(bad, false)).toThrow(/must not exceed/);
    expect(() => assertJobTimeouts(1000, 1000)).not.toThrow();
  });
});

describe('forEachBrand', () => {
  const brands: CatalogBrand[] = [1, 2, 3].map((id) => ({
    id: asBrandId(id),
    brandCode: `b${id}`,
    status: 'enabled',
  }));

  it('runs every brand, records the failed one in the summary and throws once, naming it', async () => {
    const ran: number[] = [];
    const run = forEachBrand('demo', brands, async (brand) => {
      ran.push(brand.id);
      if (brand.id === 2) throw new Error('locked');
      return { brand_id: brand.id, done: true };
    });
    const error = (await run.catch((err: unknown) => err)) as BrandFailuresError;
    expect(ran).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(BrandFailuresError);
    expect(error.message).toBe('demo failed for 1 brand(s) (brand 2: locked)');
    expect(error.summary).toEqual({
      brands: [
        { brand_id: 1, done: true },
        { brand_id: 2, error: 'locked' },
        { brand_id: 3, done: true },
      ],
    });
  });

  it('returns the summary when every brand succeeds', async () => {
    const summary = await forEachBrand(
      'demo',
      brands,
      async (brand) => [{ brand_id: brand.id, day: 'd1' }],
      (results) => ({ n: results.length }),
    );
    expect(summary).toEqual({ n: 3 });
  });
});
