/**
 * The cross-brand opt-in's audit trail (issue #8): every use is counted; each
 * (reason, statement) is logged at info on first use and then at most once a
 * minute with the number of uses since; the setting is sent before the
 * statement and cleared after it inside a caller's transaction.
 */
import { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { Metrics } from '@app/observability';
import { CROSS_BRAND_AUDIT_INTERVAL_MS, crossBrandSql } from './scoped-sql';

function fakeRunner(): QueryRunner & { sent: Array<[string, unknown[]]> } {
  const sent: Array<[string, unknown[]]> = [];
  return {
    sent,
    isReleased: false,
    isTransactionActive: true,
    connect: async () => undefined,
    query: async (text: string, params: unknown[] = []) => {
      sent.push([text, params]);
      return { records: [], affected: 0 };
    },
  } as unknown as QueryRunner & { sent: Array<[string, unknown[]]> };
}

const readCount = async (): Promise<number> =>
  (await Metrics.crossBrandAccess().get()).values.find((v) => v.labels.access === 'relay')?.value ?? 0;

describe('crossBrandSql audit trail', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs the first use at info, then one info line per interval with the uses since, and counts every use', async () => {
    const info = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const runner = fakeRunner();
    const before = await readCount();
    const run = () =>
      crossBrandSql(runner, 'audit spec: relay', 'UPDATE player_outbox SET attempts = attempts', [], 'relay');

    await run();
    await run();
    await run();
    now += CROSS_BRAND_AUDIT_INTERVAL_MS;
    await run();

    const lines = info.mock.calls.map(([line]) => line as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'cross-brand sql',
        reason: 'audit spec: relay',
        access: 'relay',
        uses: 1,
      }),
      expect.objectContaining({
        msg: 'cross-brand sql',
        reason: 'audit spec: relay',
        access: 'relay',
        uses: 3,
      }),
    ]);
    expect(debug).toHaveBeenCalledTimes(2);
    expect(await readCount()).toBe(before + 4);
    // inside the caller's transaction: opt in, run, opt out again
    expect(runner.sent.slice(0, 3)).toEqual([
      [expect.stringContaining("set_config('app.cross_brand'"), ['relay']],
      ['UPDATE player_outbox SET attempts = attempts', []],
      [expect.stringContaining("set_config('app.cross_brand'"), ['']],
    ]);
  });
});
