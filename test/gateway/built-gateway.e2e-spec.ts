// The built gateway as operators run it (dist/apps/gateway/main.js): it serves requests without ever
// entering an AsyncLocalStorage (Node 20 runs those on async hooks that every promise, tick and timer
// of the process then pays, about 15% of the gateway's CPU per request), and its request-path log
// lines still carry request_id and brand_id (ADR-009 "Structured logs include brand_id"), taken from
// the request instead of a request context.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import type { JwtIssuer } from '@app/auth';
import { startApp, type RunningApp } from '../support/processes';
import {
  closeDoubles,
  type Doubles,
  eventually,
  gatewayEnv,
  issuerFor,
  loginPlayer,
  makeKeyPair,
  resetDoubles,
  seedAgentDomain,
  seedClient,
  send,
  startDoubles,
  uniqueBrandId,
  uniqueHost,
} from './harness';

/**
 * Loaded with --require before the bundle: records whether any AsyncLocalStorage is ever entered
 * (`run` or `enterWith`; nestjs-cls enters one when it is merely loaded) and writes the verdict to
 * a file when the process is asked to stop.
 */
const PROBE = `
const { AsyncLocalStorage } = require('node:async_hooks');
const { writeFileSync } = require('node:fs');
const entered = [];
for (const method of ['run', 'enterWith']) {
  const original = AsyncLocalStorage.prototype[method];
  AsyncLocalStorage.prototype[method] = function (...args) {
    entered.push(method + ' ' + (new Error().stack.split('\\n')[2] || '').trim());
    return original.apply(this, args);
  };
}
process.on('SIGTERM', () => {
  writeFileSync(process.env.ALS_PROBE_OUT, JSON.stringify(entered));
  process.exit(0);
});
`;

interface LogLine {
  msg?: string;
  request_id?: string;
  brand_id?: number | null;
  [key: string]: unknown;
}

describe('built gateway: no request context, request fields on its log lines', () => {
  let doubles: Doubles;
  let redis: Redis;
  let issuer: JwtIssuer;
  let gateway: RunningApp;
  let dir: string;
  const keys = makeKeyPair();
  const host = uniqueHost('built');
  const brandId = uniqueBrandId();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-als-'));
    writeFileSync(join(dir, 'probe.js'), PROBE);
    doubles = await startDoubles({
      // The player double fails every call with a traceback: the gateway answers 502 and logs it.
      player: () => ({ status: 500, body: 'Traceback (most recent call last): ...' }),
    });
    redis = seedClient();
    issuer = issuerFor(keys);
    await seedAgentDomain(redis, host, brandId, 7);
    gateway = await startApp('gateway', {
      ...gatewayEnv(doubles, keys, 'observe'),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: `--require ${join(dir, 'probe.js')}`,
      ALS_PROBE_OUT: join(dir, 'entered.json'),
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await closeDoubles(doubles);
    redis?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => resetDoubles(doubles));

  const lines = (): LogLine[] =>
    gateway
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);

  it('logs a downstream failure and an unresolved domain with the request id and the brand', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    const failed = await send(gateway.url, '/api/v1/user/info', {
      host,
      token: player.token,
      headers: { 'x-request-id': 'built-downstream-1' },
    });
    expect([failed.status, failed.json.status]).toEqual([502, 7]);
    const unresolved = await send(gateway.url, '/api/v1/common/config', {
      host: uniqueHost('nowhere'),
      headers: { 'x-request-id': 'built-unresolved-1' },
    });
    expect(unresolved.json.status).toBe(50);

    // A line reaches the pipe shortly after its response.
    const logged = await eventually(
      async () => lines(),
      (all) =>
        ['downstream server error', 'brand check failed'].every((msg) => all.some((l) => l.msg === msg)),
    );
    expect(logged.find((l) => l.msg === 'downstream server error')).toMatchObject({
      request_id: 'built-downstream-1',
      brand_id: brandId,
      target: 'player',
      downstream_status: 500,
    });
    expect(logged.find((l) => l.msg === 'brand check failed')).toMatchObject({
      request_id: 'built-unresolved-1',
      brand_id: null,
      reason: 'domain_unresolved',
    });
  });

  it('never enters an AsyncLocalStorage, at boot or while serving', async () => {
    const player = await loginPlayer(redis, issuer, brandId);
    await send(gateway.url, '/api/v1/user/info', { host, token: player.token });
    expect((await send(gateway.url, '/health')).status).toBe(200);
    expect(await gateway.stop()).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'entered.json'), 'utf8'))).toEqual([]);
  });
});
