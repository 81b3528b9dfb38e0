/**
 * TypeORM's DataSource.query returns `[rows, rowCount]` for UPDATE and bare
 * rows for SELECT; the poller's statements mix both, so it reads the
 * structured result and always gets the rows.
 */
import type { DataSource } from 'typeorm';

export async function queryRecords<T>(dataSource: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    return (result.records ?? []) as T[];
  } finally {
    await runner.release();
  }
}
