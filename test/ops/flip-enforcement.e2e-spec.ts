/**
 * `flip-enforcement` (issue 7, ADR-009 Phase 16) run as the built CLI
 * against real HTTP servers that answer /health and /metrics like the apps:
 * it recommends enforce only after a clean observe soak, and refuses, naming
 * the service and the reason, when a brand_resolution_failed_total series
 * grew, legacy-schema events kept flowing, a service is unhealthy, restarted
 * or not in observe.
 */
import { type FakeService, ensureCliBuilt, fakeService, healthData, metricsText, runOps } from './support';

const mismatch = (value: number, reason = 'jwt_brand_mismatch', service = 'gateway') => ({
  name: 'brand_resolution_failed_total',
  labels: { reason, service },
  value,
});

describe('ops flip-enforcement', () => {
  jest.setTimeout(60_000);
  const servers: FakeService[] = [];

  /** One fake app whose readings stay the same across the soak. */
  async function steady(
    service: string,
    mode = 'observe',
    series = [mismatch(4, 'domain_unresolved', service)],
  ) {
    const s = await fakeService([
      {
        data: healthData(service, mode),
        metrics: metricsText(service, { off: 0, observe: 1, enforce: 2 }[mode] ?? 1, series),
      },
    ]);
    servers.push(s);
    return s;
  }

  async function flip(urls: string[], extra: string[] = []) {
    return runOps(['flip-enforcement', '--services', urls.join(','), '--soak-seconds', '1', ...extra]);
  }

  beforeAll(async () => {
    await ensureCliBuilt();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('shows its usage with --help', async () => {
    const result = await runOps(['flip-enforcement', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: flip-enforcement --services <url,...> [--soak-seconds N]');
  });

  it('refuses bad usage with exit code 2', async () => {
    expect((await runOps(['flip-enforcement'])).code).toBe(2);
    const notUrl = await runOps(['flip-enforcement', '--services', 'gateway 3000']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('"gateway 3000" is not a URL');
    const notHttp = await runOps(['flip-enforcement', '--services', 'gateway:3000']);
    expect(notHttp.code).toBe(2);
    expect(notHttp.stderr).toContain('"gateway:3000" must be http(s)');
    const badSoak = await runOps([
      'flip-enforcement',
      '--services',
      'http://127.0.0.1:3000',
      '--soak-seconds',
      'soon',
    ]);
    expect(badSoak.code).toBe(2);
    expect(badSoak.stderr).toContain('--soak-seconds must be a whole number');
  });

  it('after a clean observe soak, prints the env change and restarts inner services before the gateway', async () => {
    const gateway = await steady('gateway');
    const worker = await steady('player_worker');
    const agent = await steady('agent_service');
    const player = await steady('player_service');
    const admin = await steady('admin_service');

    const result = await flip([gateway.url, worker.url, agent.url, player.url, admin.url]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('clean soak of 1 s');
    expect(result.stdout).toContain('env change for each service: MULTI_BRAND_ENFORCEMENT=enforce');
    const lines = result.stdout.split('\n');
    const step = (label: string, url: string) =>
      lines.findIndex((l) => l.includes(`. ${label} ${url}  MULTI_BRAND_ENFORCEMENT=enforce`));
    const order = [
      step('player_worker', worker.url),
      step('player_service', player.url),
      step('admin_service', admin.url),
      step('agent_service', agent.url),
      step('gateway', gateway.url),
    ];
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(result.stdout).toContain(
      'kubectl -n servers-v2 set env deployment/gateway MULTI_BRAND_ENFORCEMENT=enforce',
    );
    expect(result.stdout).toContain(
      'kubectl -n servers-v2 set env deployment/player-worker MULTI_BRAND_ENFORCEMENT=enforce',
    );
    // both readings were taken: at the start and at the end of the soak
    expect(gateway.hits).toEqual({ health: 2, metrics: 2 });
  });

  it('refuses while brand_resolution_failed_total grew during the soak, naming the service and the reason', async () => {
    const player = await steady('player_service');
    const gateway = await fakeService([
      { data: healthData('gateway', 'observe'), metrics: metricsText('gateway', 1, [mismatch(2)]) },
      { data: healthData('gateway', 'observe'), metrics: metricsText('gateway', 1, [mismatch(5)]) },
    ]);
    servers.push(gateway);

    const result = await flip([player.url, gateway.url]);

    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('restart order');
    expect(result.stderr).toContain('refusing to recommend enforce (1 problem(s))');
    expect(result.stderr).toContain(
      `gateway (${gateway.url}): brand_resolution_failed_total{reason="jwt_brand_mismatch",service="gateway"} grew by 3 during the 1 s soak`,
    );
  });

  it('counts a series that first appears during the soak as growth', async () => {
    const agent = await fakeService([
      { data: healthData('agent_service', 'observe'), metrics: metricsText('agent_service', 1) },
      {
        data: healthData('agent_service', 'observe'),
        metrics: metricsText('agent_service', 1, [mismatch(1, 'agent_brand_not_allowed', 'agent_service')]),
      },
    ]);
    servers.push(agent);
    const result = await flip([agent.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('reason="agent_brand_not_allowed"');
    expect(result.stderr).toContain('grew by 1');
  });

  it('refuses while schema_version 1 events keep arriving (event_legacy_schema_total grew)', async () => {
    const legacy = (value: number) => ({
      name: 'event_legacy_schema_total',
      labels: { stream: 'events:player', consumer: 'wallet' },
      value,
    });
    const worker = await fakeService([
      { data: healthData('player_worker', 'observe'), metrics: metricsText('player_worker', 1, [legacy(1)]) },
      { data: healthData('player_worker', 'observe'), metrics: metricsText('player_worker', 1, [legacy(2)]) },
    ]);
    servers.push(worker);
    const result = await flip([worker.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'event_legacy_schema_total{consumer="wallet",stream="events:player"} grew by 1',
    );
  });

  it('refuses while a service is unhealthy, naming the failing check', async () => {
    const gateway = await steady('gateway');
    const player = await fakeService([
      { data: healthData('player_service', 'observe'), metrics: metricsText('player_service', 1) },
      {
        httpStatus: 503,
        data: healthData('player_service', 'observe', { checks: { db: 'ok', redis: 'down' } }),
        metrics: metricsText('player_service', 1),
      },
    ]);
    servers.push(player);
    const result = await flip([gateway.url, player.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `player_service (${player.url}): unhealthy at the end of the soak: /health answered HTTP 503 status 7 (down: redis)`,
    );
    expect(result.stderr).not.toContain('gateway (');
  });

  it('refuses when a service cannot be reached', async () => {
    const gateway = await steady('gateway');
    const gone = await steady('admin_service');
    const goneUrl = gone.url;
    await servers.pop()?.close();
    const result = await flip([gateway.url, goneUrl]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${goneUrl}: unhealthy at the start of the soak: fetch failed`);
  });

  it('refuses when a service runs off, or already enforces while others observe', async () => {
    const off = await steady('player_service', 'off');
    const enforcing = await steady('gateway', 'enforce');
    const observing = await steady('agent_service', 'observe');
    const result = await flip([off.url, enforcing.url, observing.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`player_service (${off.url}): runs MULTI_BRAND_ENFORCEMENT=off`);
    expect(result.stderr).toContain(
      `gateway (${enforcing.url}): already runs MULTI_BRAND_ENFORCEMENT=enforce while others still observe`,
    );
    expect(result.stderr).not.toContain('agent_service (');
  });

  it('refuses when a counter went down, i.e. the process restarted during the soak', async () => {
    const gateway = await fakeService([
      { data: healthData('gateway', 'observe'), metrics: metricsText('gateway', 1, [mismatch(9)]) },
      { data: healthData('gateway', 'observe'), metrics: metricsText('gateway', 1, [mismatch(0)]) },
    ]);
    servers.push(gateway);
    const result = await flip([gateway.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('went down (9 -> 0): the process restarted during the soak');
  });

  it('says there is nothing to flip when every service already enforces', async () => {
    const gateway = await steady('gateway', 'enforce');
    const player = await steady('player_service', 'enforce');
    const result = await flip([gateway.url, player.url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'every service already runs MULTI_BRAND_ENFORCEMENT=enforce; nothing to flip',
    );
  });
});
