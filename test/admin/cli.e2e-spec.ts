// CONTRACTS §10 `admin:create-operator` and CONTRACTS §4 domain-map rebuild, run through the CLI
// dispatcher against the suite's PostgreSQL and Redis: the operator can log in to admin, the id is
// printed and the password never is; rebuild-domain-maps restores and prunes the Redis maps.
import { runCli } from '../../apps/cli/src/cli';
import { suiteRedisUrl } from '../support/redis';
import { AdminHarness, api, bootAdmin, insertAgent, insertBrand, uid } from './harness';

describe('admin CLI commands', () => {
  let h: AdminHarness;

  beforeAll(async () => {
    h = await bootAdmin();
  });
  afterAll(async () => h?.close());

  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      env: { DATABASE_URL: h.db.appUrl, REDIS_URL: suiteRedisUrl(), PASSWORD_SALT: 'admin-test-salt' },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out, err, text: [...out, ...err].join('\n') };
  };
  const login = (account: string, password: string) =>
    api(h, 'POST', '/api/v1/auth/login', { body: { account, password } });

  it('create-operator creates an operator that can log in, printing its id and never the password', async () => {
    const account = `cli_${uid()}`;
    const password = `Cli-pass-${uid()}`;
    const result = await run('create-operator', '--account', account, '--password', password);
    expect(result.code).toBe(0);
    expect(result.text).not.toContain(password);
    const id = Number(/operator_id=(\d+)/.exec(result.out.join('\n'))?.[1]);
    expect(result.out[0]).toContain('created');
    const res = await login(account, password);
    expect(res.body.data.admin_id).toBe(id);
  });

  it('create-operator on an existing account resets the password and keeps the id', async () => {
    const account = `cli_${uid()}`;
    const first = await run('create-operator', '--account', account, '--password', 'first-password');
    await h.ds.query(`UPDATE admin_operator SET status = 'disabled' WHERE account = $1`, [account]);
    const second = await run('create-operator', `--account=${account}`, '--password', 'second-password');
    expect(second.out[0]).toContain('password reset');
    expect(second.out[1]).toBe(first.out[1]);
    expect((await login(account, 'first-password')).status).toBe(422);
    expect((await login(account, 'second-password')).status).toBe(200);
  });

  it('create-operator refuses missing or invalid arguments with exit code 2', async () => {
    expect((await run('create-operator', '--account', 'someone')).code).toBe(2);
    expect((await run('create-operator', '--password', 'long-enough-pw')).code).toBe(2);
    const short = await run('create-operator', '--account', `cli_${uid()}`, '--password', 'short');
    expect(short.code).toBe(2);
    expect(short.text).not.toContain('short"');
    expect(
      (await run('create-operator', '--account', 'bad account!', '--password', 'long-enough-pw')).code,
    ).toBe(2);
  });

  it('rebuild-domain-maps rewrites both maps from PostgreSQL and removes stale keys', async () => {
    const brandId = await insertBrand(h);
    const agentId = await insertAgent(h);
    const [agentHost, levelHost, stale] = [
      `cli-${uid()}.test`,
      `cli-${uid()}.test`,
      `cli-stale-${uid()}.test`,
    ];
    await h.ds.query(`INSERT INTO agent_domain (brand_id, agent_id, domain) VALUES ($1, $2, $3)`, [
      brandId,
      agentId,
      agentHost,
    ]);
    await h.ds.query(`INSERT INTO level_domain (brand_id, level, domain) VALUES ($1, 4, $2)`, [
      brandId,
      levelHost,
    ]);
    await h.redis.set(`domain:agent:${stale}`, '{"agent_id":1,"brand_id":1}');
    const result = await run('rebuild-domain-maps');
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/\d+ agent domains, \d+ level domains, \d+ stale keys removed/);
    expect(await h.redis.get(`domain:agent:${agentHost}`)).toBe(
      JSON.stringify({ agent_id: agentId, brand_id: brandId }),
    );
    expect(await h.redis.get(`domain:level:${levelHost}`)).toBe(
      JSON.stringify({ level: 4, brand_id: brandId }),
    );
    expect(await h.redis.get(`domain:agent:${stale}`)).toBeNull();
  });
});
