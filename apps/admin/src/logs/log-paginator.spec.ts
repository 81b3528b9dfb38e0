// Unit tests of the T16-A paginator (seed 004): brand_id = $1 is the first predicate, filters are
// whitelisted columns whose values are bound as parameters, unknown parameters are refused.
import { InvalidInputError } from '@app/http';
import { queryLogTable, type BrandSql } from './log-paginator';
import { LOG_TABLES, logTable } from './log-tables';

function recorder(): { sql: BrandSql; calls: Array<{ text: string; params: readonly unknown[] }> } {
  const calls: Array<{ text: string; params: readonly unknown[] }> = [];
  const sql = (async (text: string, params: readonly unknown[] = []) => {
    calls.push({ text, params: [...params] });
    return { rows: text.includes('count(*)') ? [{ total: '0' }] : [] };
  }) as BrandSql;
  return { sql, calls };
}

describe('queryLogTable', () => {
  const balance = logTable('player-balance')!;

  it('puts brand_id = $1 first and binds every filter value', async () => {
    const { sql, calls } = recorder();
    const injection = "x' OR '1'='1";
    await queryLogTable(sql, balance, {
      change_type: injection,
      player_id: '7',
      start_time: '2026-01-01',
      page: '2',
      page_size: '5',
    });
    for (const call of calls) {
      expect(call.text).toMatch(/ WHERE brand_id = \$1 AND /);
      expect(call.text).not.toContain(injection);
    }
    expect(calls[0].params).toEqual([injection, '7', '2026-01-01T00:00:00.000Z']);
    expect(calls[1].text).toMatch(/LIMIT \$5 OFFSET \$6$/);
    expect(calls[1].params.slice(-2)).toEqual([5, 5]);
  });

  it('refuses unknown parameters, including an attempt to filter on brand_id', async () => {
    const { sql, calls } = recorder();
    for (const query of [{ brand_id: '2' }, { '1=1) OR (1': '1' }, { account: 'x' }]) {
      await expect(queryLogTable(sql, balance, query)).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(calls).toHaveLength(0);
  });

  it('refuses malformed typed values and paging', async () => {
    const { sql } = recorder();
    for (const query of [
      { player_id: '1 OR 1=1' },
      { page: '0' },
      { page_size: '1000' },
      { start_time: 'yesterday' },
      // Outside PostgreSQL's years (no year 0; 10000 after the offset): refused before any SQL.
      { start_time: '0000-01-01' },
      { end_time: '9999-12-31T23:00:00-23:00' },
    ]) {
      await expect(queryLogTable(sql, balance, query)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });

  it('answers an empty page for the nine unprovisioned tables without running SQL', async () => {
    const pending = LOG_TABLES.filter((s) => !s.provisioned);
    expect(pending).toHaveLength(9);
    expect(LOG_TABLES.filter((s) => s.provisioned).map((s) => s.table)).toEqual([
      'player_balance_log',
      'agent_balance_log',
      'player_login_log',
      'agent_login_log',
    ]);
    const { sql, calls } = recorder();
    for (const spec of pending) {
      expect(await queryLogTable(sql, spec, { page: '1' })).toEqual({
        items: [],
        total: 0,
        page: 1,
        page_size: 20,
      });
    }
    expect(calls).toHaveLength(0);
  });
});
