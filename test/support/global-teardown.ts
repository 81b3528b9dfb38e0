/**
 * Jest global teardown: drops the suite databases this run created and a
 * suite forgot to drop. Databases of other, concurrent runs carry another
 * run id and are left alone; the template stays for the next run to rebuild.
 */
import { SUITE_DATABASE_PREFIX, dropDatabase, testRunId, withMaintenanceClient } from './db';

export default async function globalTeardown(): Promise<void> {
  const runId = testRunId();
  const { rows } = await withMaintenanceClient((client) =>
    client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      `${SUITE_DATABASE_PREFIX}${runId}_`,
    ]),
  );
  for (const { datname } of rows) await dropDatabase(datname);
}
