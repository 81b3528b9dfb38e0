/**
 * The operator CLI against a real PostgreSQL (CONTRACTS §10): `migrate`
 * creates a missing database, applies every migration, is idempotent, and
 * never prints the URL; `migrate:revert` reverts one migration per call.
 */
import { runCli } from '../../apps/cli/src/cli';
import { ALL_MIGRATIONS } from '../../migrations';
import { databaseUrl, dropDatabase, testRunId } from '../support/db';

describe('cli migrate', () => {
  const name = `servers_v2_test_${testRunId()}_cli_${process.pid}`;
  const url = databaseUrl(name).replace('postgres@', 'postgres:not-a-secret@');
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      env: { DATABASE_URL: url },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out, err };
  };

  afterAll(async () => {
    await dropDatabase(name);
  });

  it('creates the database and applies every migration', async () => {
    const result = await run('migrate');
    expect(result).toEqual({
      code: 0,
      out: [
        `created database ${name}`,
        ...ALL_MIGRATIONS.map((m) => `applied ${new m().name}`),
        `database ${name}: ${ALL_MIGRATIONS.length} migration(s) applied`,
      ],
      err: [],
    });
    expect(result.out.join('\n')).not.toContain('not-a-secret');
  });

  it('is idempotent', async () => {
    expect(await run('migrate')).toEqual({ code: 0, out: [`database ${name} is up to date`], err: [] });
  });

  it('migrate:revert reverts the newest migration, and migrate re-applies it', async () => {
    const newest = new ALL_MIGRATIONS[ALL_MIGRATIONS.length - 1]().name;
    expect(await run('migrate:revert')).toEqual({ code: 0, out: [`reverted ${newest}`], err: [] });
    expect((await run('migrate')).out).toEqual([
      `applied ${newest}`,
      `database ${name}: 1 migration(s) applied`,
    ]);
  });

  it('reports a failure with exit code 1 and without the URL', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['migrate'], {
      env: { DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/nowhere' },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^migrate failed: /);
    expect(err[0]).not.toContain('hunter2');
  });
});
