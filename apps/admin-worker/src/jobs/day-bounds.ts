/**
 * The UTC instants that bound one local day, computed by PostgreSQL from the
 * IANA zone so daylight-saving days are 23 or 25 hours long as they should.
 */
import type { Database } from '@app/database';

export interface DayBounds {
  day: string;
  start: Date;
  end: Date;
}

export async function dayBounds(db: Database, day: string, timeZone: string): Promise<DayBounds> {
  const rows = (await db.dataSource.query(
    `SELECT ($1::date::timestamp AT TIME ZONE $2) AS start, (($1::date + 1)::timestamp AT TIME ZONE $2) AS "end"`,
    [day, timeZone],
  )) as Array<{ start: Date; end: Date }>;
  return { day, start: rows[0].start, end: rows[0].end };
}
