/** Worker helpers: exact money sums, local days in ADMIN_WORKER_TIMEZONE, level threshold parsing. */
import { parseLevelThresholds } from './level-check.job';
import { fromCents, toCents } from './money';
import { addDays, assertTimeZone, localDate, recentDays } from './worker-clock';

describe('money cents', () => {
  it('adds numeric strings exactly', () => {
    const sum = ['0.10', '0.20', '150000.50', '99999999999999.99'].map(toCents).reduce((a, b) => a + b, 0n);
    expect(fromCents(sum)).toBe('100000000150000.79');
    expect(fromCents(toCents('-5.5'))).toBe('-5.50');
    expect(() => toCents('1e3')).toThrow(RangeError);
  });
});

describe('worker clock', () => {
  it('computes the local day in the configured zone', () => {
    const at = new Date('2026-03-09T16:30:00Z');
    expect(localDate(at, 'UTC')).toBe('2026-03-09');
    expect(localDate(at, 'Asia/Seoul')).toBe('2026-03-10');
    expect(recentDays(at, 'Asia/Seoul')).toEqual(['2026-03-10', '2026-03-09']);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('refuses an unknown zone', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(assertTimeZone('Europe/Paris')).toBe('Europe/Paris');
  });
});

describe('level_thresholds', () => {
  it('accepts a well-formed list, sorted by level, and refuses anything else', () => {
    expect(
      parseLevelThresholds([
        { level: 3, min_deposit: 10 },
        { level: 1, min_deposit: 0 },
      ]),
    ).toEqual([
      { level: 1, min_deposit: 0 },
      { level: 3, min_deposit: 10 },
    ]);
    expect(parseLevelThresholds([])).toBeNull();
    expect(parseLevelThresholds({ 2: 100 })).toBeNull();
    expect(parseLevelThresholds([{ level: 0, min_deposit: 1 }])).toBeNull();
    expect(parseLevelThresholds([{ level: 2, min_deposit: -1 }])).toBeNull();
  });
});
