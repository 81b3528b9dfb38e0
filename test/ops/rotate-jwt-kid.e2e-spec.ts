/**
 * `rotate-jwt-kid` (issue 7; gateway seed T4-D-I4, CONTRACTS §4) run as the
 * built CLI: it publishes `jwt_public_keys_changed` with `{kid, at}` on the
 * real Redis only after every verifier's /health lists the new kid in
 * `data.jwt_kids`, and publishes nothing otherwise.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { suiteRedisUrl } from '../support/redis';
import { type FakeService, ensureCliBuilt, fakeService, healthData, runOps } from './support';

const CHANNEL = 'jwt_public_keys_changed';

describe('ops rotate-jwt-kid', () => {
  jest.setTimeout(60_000);
  const servers: FakeService[] = [];
  let subscriber: Redis;
  let publisher: Redis;
  const received: string[] = [];
  const redisUrl = suiteRedisUrl();

  async function verifier(service: string, kids: unknown, httpStatus = 200) {
    const data = healthData(
      service,
      'observe',
      kids === undefined ? { jwt_kids: undefined } : { jwt_kids: kids },
    );
    if (kids === undefined) delete data.jwt_kids;
    const s = await fakeService([{ httpStatus, data }]);
    servers.push(s);
    return s;
  }

  /** Messages on the channel that carry `kid` (other suites may publish on the same server-wide channel). */
  function messagesFor(kid: string): { kid: string; at: string }[] {
    return received
      .map((m) => {
        try {
          return JSON.parse(m) as { kid: string; at: string };
        } catch {
          return null;
        }
      })
      .filter((m): m is { kid: string; at: string } => m !== null && m.kid === kid);
  }

  /** Publishes a marker and waits until it arrives: everything published before it has arrived too. */
  async function drain(): Promise<void> {
    const marker = JSON.stringify({ kid: `marker-${randomBytes(4).toString('hex')}` });
    await publisher.publish(CHANNEL, marker);
    const deadline = Date.now() + 5000;
    while (!received.includes(marker)) {
      if (Date.now() > deadline) throw new Error('marker message never arrived');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const newKid = () => `kid-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    await ensureCliBuilt();
    subscriber = new Redis(redisUrl);
    publisher = new Redis(redisUrl);
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === CHANNEL) received.push(message);
    });
    await subscriber.subscribe(CHANNEL);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    subscriber?.disconnect();
    publisher?.disconnect();
  });

  it('shows its usage with --help and refuses a missing or malformed kid', async () => {
    const help = await runOps(['rotate-jwt-kid', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: rotate-jwt-kid --kid <new-kid> --services <url,...>');
    const missing = await runOps(['rotate-jwt-kid', '--services', 'http://127.0.0.1:3000']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--kid <new-kid> is required');
    const malformed = await runOps(['rotate-jwt-kid', '--kid', 'a b', '--services', 'http://127.0.0.1:3000']);
    expect(malformed.code).toBe(2);
  });

  it('publishes {kid, at} once every verifier accepts the new kid', async () => {
    const kid = newKid();
    const gateway = await verifier('gateway', ['kid-old', kid]);
    const player = await verifier('player_service', ['kid-old', kid]);
    const admin = await verifier('admin_service', [kid]);
    const before = Date.now();

    const result = await runOps(
      ['rotate-jwt-kid', '--kid', kid, '--services', [gateway.url, player.url, admin.url].join(',')],
      {
        REDIS_URL: redisUrl,
      },
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`3 verifier(s) accept kid ${kid}`);
    expect(result.stdout).toMatch(
      /published \{"kid":"kid-[0-9a-f]+","at":"[^"]+"\} on jwt_public_keys_changed; \d+ subscriber\(s\) received it/,
    );
    await drain();
    const messages = messagesFor(kid);
    expect(messages).toHaveLength(1);
    expect(Object.keys(messages[0]).sort()).toEqual(['at', 'kid']);
    const at = Date.parse(messages[0].at);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('refuses and publishes nothing while one verifier does not list the new kid', async () => {
    const kid = newKid();
    const gateway = await verifier('gateway', ['kid-old', kid]);
    const agent = await verifier('agent_service', ['kid-old']);

    const result = await runOps(
      ['rotate-jwt-kid', '--kid', kid, '--services', `${gateway.url},${agent.url}`],
      {
        REDIS_URL: redisUrl,
      },
    );

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('not publishing; 1 verifier(s) not ready');
    expect(result.stderr).toContain(
      `agent_service (${agent.url}): does not accept kid ${kid} yet (accepts: kid-old)`,
    );
    await drain();
    expect(messagesFor(kid)).toEqual([]);
  });

  it('refuses when a verifier reports no jwt_kids, is unhealthy or unreachable', async () => {
    const kid = newKid();
    const silent = await verifier('gateway', undefined);
    const sick = await verifier('player_service', [kid], 503);
    const gone = await verifier('admin_service', [kid]);
    const goneUrl = gone.url;
    await servers.pop()?.close();

    const result = await runOps(
      ['rotate-jwt-kid', '--kid', kid, '--services', [silent.url, sick.url, goneUrl].join(',')],
      {
        REDIS_URL: redisUrl,
      },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('3 verifier(s) not ready');
    expect(result.stderr).toContain(`gateway (${silent.url}): /health reports no data.jwt_kids`);
    expect(result.stderr).toContain(`player_service (${sick.url}): /health answered HTTP 503 status 7`);
    expect(result.stderr).toContain(`${goneUrl}: fetch failed`);
    await drain();
    expect(messagesFor(kid)).toEqual([]);
  });

  it('fails with exit code 1 when Redis cannot be reached, without printing the URL', async () => {
    const kid = newKid();
    const gateway = await verifier('gateway', [kid]);
    const result = await runOps(['rotate-jwt-kid', '--kid', kid, '--services', gateway.url], {
      REDIS_URL: 'redis://:hunter2@127.0.0.1:9/0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^rotate-jwt-kid failed: /m);
    expect(result.stderr).not.toContain('hunter2');
  });
});
