/**
 * agent auth routes and the agent edge (seed 001, CONTRACTS §2/§5/§7/§11):
 * login mints an RS256 agent token with the domain's brand, logout and a
 * password change revoke tokens, and the brand cases of each mode.
 */
import type Redis from 'ioredis';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { REDIS } from '@app/redis';
import { type AgentRow, type Harness, startHarness, twoBrands } from './support';

describe('agent auth (enforce)', () => {
  let h: Harness;
  let alpha: number;
  let beta: number;
  let hostA: string;
  let hostB: string;
  let agent: AgentRow;

  beforeAll(async () => {
    h = await startHarness('auth');
    ({ alpha, beta, hostA, hostB } = await twoBrands(h));
    agent = await h.createAgent({});
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    await h.setAgentBrand(agent.id, beta, 'enabled');
  });
  afterAll(async () => h?.close());

  it('logs in with the brand of the request domain and an RS256 agent token', async () => {
    const res = await h.call('POST', '/agent/login', {
      host: hostA,
      body: { account: agent.account, password: agent.password },
    });
    expect(res).toMatchObject({ http: 200, status: 0, msg: 'ok' });
    expect(res.data).toEqual({
      token: expect.any(String),
      expires_in: 3600,
      agent: { agent_id: agent.id, account: agent.account },
      brand_id: alpha,
    });
    expect(decodeProtectedHeader(res.data.token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: h.keys.kid });
    expect(decodeJwt(res.data.token)).toMatchObject({
      typ: 'agent',
      sub: String(agent.id),
      account: agent.account,
      brand_id: alpha,
      jti: expect.any(String),
    });
    const onBeta = await h.call('POST', '/agent/login', {
      host: hostB,
      body: { account: agent.account, password: agent.password },
    });
    expect(onBeta.data.brand_id).toBe(beta);
  });

  it('resolves the brand from Origin before Host', async () => {
    const res = await h.call('POST', '/agent/login', {
      host: hostA,
      origin: `https://${hostB}:8443`,
      body: { account: agent.account, password: agent.password },
    });
    expect(res.data.brand_id).toBe(beta);
  });

  it('ignores an inbound X-Brand-Id', async () => {
    const res = await h.call('POST', '/agent/login', {
      host: hostA,
      headers: { 'x-brand-id': String(beta) },
      body: { account: agent.account, password: agent.password },
    });
    expect(res.data.brand_id).toBe(alpha);
  });

  it('answers a wrong password and an unknown account the same way, and logs both attempts', async () => {
    const wrong = await h.call('POST', '/agent/login', {
      host: hostA,
      body: { account: agent.account, password: 'nope-nope' },
    });
    const unknown = await h.call('POST', '/agent/login', {
      host: hostA,
      body: { account: `ghost${h.tag}`, password: 'nope-nope' },
    });
    expect(wrong).toMatchObject({ http: 200, status: 1, data: null });
    expect({ status: unknown.status, msg: unknown.msg, data: unknown.data }).toEqual({
      status: wrong.status,
      msg: wrong.msg,
      data: wrong.data,
    });
    const { rows } = await h.pg.query(
      `SELECT brand_id, agent_id, success, reason FROM agent_login_log WHERE brand_id = $1 AND success = false ORDER BY id`,
      [alpha],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { brand_id: alpha, agent_id: String(agent.id), success: false, reason: 'bad_password' },
        { brand_id: alpha, agent_id: null, success: false, reason: 'unknown_account' },
      ]),
    );
  });

  it('logs the address the ingress appended to X-Forwarded-For, not one the client wrote before it', async () => {
    const res = await h.call('POST', '/agent/login', {
      host: hostA,
      headers: { 'x-forwarded-for': '198.51.100.66, 203.0.113.9' },
      body: { account: agent.account, password: 'nope-nope' },
    });
    expect(res.status).toBe(1);
    const { rows } = await h.pg.query(
      `SELECT ip FROM agent_login_log WHERE brand_id = $1 AND success = false ORDER BY id DESC LIMIT 1`,
      [alpha],
    );
    expect(rows).toEqual([{ ip: '203.0.113.9' }]);
  });

  it('refuses a disabled agent', async () => {
    const disabled = await h.createAgent({});
    await h.setAgentBrand(disabled.id, alpha, 'enabled');
    await h.pg.query(`UPDATE agent SET status = 'disabled' WHERE guid = $1`, [disabled.id]);
    const res = await h.call('POST', '/agent/login', {
      host: hostA,
      body: { account: disabled.account, password: disabled.password },
    });
    expect(res).toMatchObject({ http: 200, status: 1, msg: 'account disabled' });
  });

  it('refuses login for a brand the agent is not enabled in (52)', async () => {
    const onlyA = await h.createAgent({});
    await h.setAgentBrand(onlyA.id, alpha, 'enabled');
    const res = await h.call('POST', '/agent/login', {
      host: hostB,
      body: { account: onlyA.account, password: onlyA.password },
    });
    expect(res).toMatchObject({ http: 403, status: 52 });
  });

  it('rejects a domain that maps to no brand (50)', async () => {
    const res = await h.call('POST', '/agent/login', {
      host: `unknown-${h.tag}.test`,
      body: { account: agent.account, password: agent.password },
    });
    expect(res).toMatchObject({ http: 400, status: 50, data: null });
  });

  it('requires a token on protected routes (status 3, HTTP 200) and refuses garbage', async () => {
    expect(await h.call('GET', '/agent/info', { host: hostA })).toMatchObject({ http: 200, status: 3 });
    expect(await h.call('GET', '/agent/info', { host: hostA, token: 'a.b.c' })).toMatchObject({
      http: 200,
      status: 3,
    });
  });

  it('refuses a token minted for another brand on this domain (51)', async () => {
    const tokenA = await h.login(agent, hostA);
    const res = await h.call('GET', '/agent/info', { host: hostB, token: tokenA });
    expect(res).toMatchObject({ http: 403, status: 51 });
  });

  it('serves info and top_info with masked PII', async () => {
    const token = await h.login(agent, hostA);
    const info = await h.call('GET', '/agent/info', { host: hostA, token });
    expect(info.status).toBe(0);
    expect(info.data).toMatchObject({
      agent_id: agent.id,
      account: agent.account,
      brand_id: alpha,
      status: 'enabled',
    });
    expect(info.data.phone).toMatch(/^\*+\d{4}$/);
    expect(info.data.phone).not.toContain(agent.phone?.slice(0, 6));
    await h.pg.query(
      `INSERT INTO agent_message (brand_id, agent_id, title, content) VALUES ($1, $2, 't', 'c'), ($3, $2, 't', 'c')`,
      [alpha, agent.id, beta],
    );
    await h.createPlayer(alpha, agent.id);
    const top = await h.call('GET', '/agent/top_info', { host: hostA, token });
    expect(top.data).toMatchObject({
      agent_id: agent.id,
      brand_id: alpha,
      unread_messages: 1,
      player_count: 1,
      balance: '0.00',
    });
  });

  it('refresh mints a new working token; logout revokes the presented one', async () => {
    const token = await h.login(agent, hostA);
    const refreshed = await h.call('POST', '/agent/refresh', { host: hostA, token });
    expect(refreshed).toMatchObject({ status: 0, data: { brand_id: alpha, agent: { agent_id: agent.id } } });
    expect(refreshed.data.token).not.toBe(token);
    expect(decodeJwt(refreshed.data.token).jti).not.toBe(decodeJwt(token).jti);
    expect(await h.call('POST', '/agent/logout', { host: hostA, token })).toMatchObject({
      status: 0,
      data: null,
    });
    expect(await h.call('GET', '/agent/info', { host: hostA, token })).toMatchObject({
      http: 200,
      status: 3,
    });
    expect(await h.call('GET', '/agent/info', { host: hostA, token: refreshed.data.token })).toMatchObject({
      status: 0,
    });
    const ttl = await h.redis.ttl(`agent-session:deny:${decodeJwt(token).jti}`);
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('changing the password needs the old one and revokes every token', async () => {
    const me = await h.createAgent({});
    await h.setAgentBrand(me.id, alpha, 'enabled');
    const t1 = await h.login(me, hostA);
    const t2 = await h.login(me, hostA);
    const bad = await h.call('POST', '/agent/edit/password', {
      host: hostA,
      token: t1,
      body: { old_password: 'wrong-old', new_password: 'brand-new-1' },
    });
    expect(bad).toMatchObject({ status: 1 });
    const ok = await h.call('POST', '/agent/edit/password', {
      host: hostA,
      token: t1,
      body: { old_password: me.password, new_password: 'brand-new-1' },
    });
    expect(ok).toMatchObject({ status: 0, data: { revoked_sessions: 2 } });
    expect((await h.call('GET', '/agent/info', { host: hostA, token: t1 })).status).toBe(3);
    expect((await h.call('GET', '/agent/info', { host: hostA, token: t2 })).status).toBe(3);
    expect(
      (
        await h.call('POST', '/agent/login', {
          host: hostA,
          body: { account: me.account, password: me.password },
        })
      ).status,
    ).toBe(1);
    expect(
      (
        await h.call('POST', '/agent/login', {
          host: hostA,
          body: { account: me.account, password: 'brand-new-1' },
        })
      ).status,
    ).toBe(0);
  });

  it('keeps the old password when the tokens cannot be revoked (Redis failing): status 7, nothing changed', async () => {
    const me = await h.createAgent({});
    await h.setAgentBrand(me.id, alpha, 'enabled');
    const token = await h.login(me, hostA);
    const appRedis = h.app.app.get<Redis>(REDIS, { strict: false });
    const failing = jest.spyOn(appRedis, 'zrangebyscore').mockRejectedValueOnce(new Error('connection lost'));
    try {
      const res = await h.call('POST', '/agent/edit/password', {
        host: hostA,
        token,
        body: { old_password: me.password, new_password: 'brand-new-2' },
      });
      expect(res).toMatchObject({ http: 502, status: 7 });
      expect(failing).toHaveBeenCalled();
    } finally {
      failing.mockRestore();
    }
    // The change rolled back: the old password still logs in, the new one does not, the token still works.
    const login = (password: string) =>
      h.call('POST', '/agent/login', { host: hostA, body: { account: me.account, password } });
    expect((await login('brand-new-2')).status).toBe(1);
    expect((await login(me.password)).status).toBe(0);
    expect((await h.call('GET', '/agent/info', { host: hostA, token })).status).toBe(0);
  });

  it('validates bodies with status 2 naming fields, never values', async () => {
    const res = await h.call('POST', '/agent/login', { host: hostA, body: { account: '', password: 12345 } });
    expect(res).toMatchObject({ http: 200, status: 2 });
    expect(Object.keys(res.data.fields).sort()).toEqual(['account', 'password']);
    expect(JSON.stringify(res)).not.toContain('12345');
  });

  it('answers unknown routes with 404 / status 5 and echoes X-Request-ID', async () => {
    const res = await h.call('GET', '/agent/nope', { host: hostA, headers: { 'x-request-id': 'req-abc.1' } });
    expect(res).toMatchObject({ http: 404, status: 5 });
    expect(res.headers['x-request-id']).toBe('req-abc.1');
  });

  it('serves /health without a brand', async () => {
    const res = await h.call('GET', '/health', { host: `unknown-${h.tag}.test` });
    expect(res).toMatchObject({
      http: 200,
      status: 0,
      data: { service: 'agent_service', multi_brand_enforcement: 'enforce', jwt_kid: h.keys.kid },
    });
    expect(res.data.checks).toEqual({ db: 'ok', redis: 'ok' });
  });
});

describe('agent auth (observe)', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('counts but passes a brand the agent is not enabled in, and a token of another brand uses the request brand', async () => {
    h = await startHarness('auth_observe', { mode: 'observe' });
    const { alpha, beta, hostA, hostB } = await twoBrands(h);
    const onlyA = await h.createAgent({});
    await h.setAgentBrand(onlyA.id, alpha, 'enabled');
    const login = await h.call('POST', '/agent/login', {
      host: hostB,
      body: { account: onlyA.account, password: onlyA.password },
    });
    expect(login).toMatchObject({ status: 0, data: { brand_id: beta } });
    const tokenA = await h.login(onlyA, hostA);
    const info = await h.call('GET', '/agent/info', { host: hostB, token: tokenA });
    expect(info).toMatchObject({ status: 0, data: { brand_id: beta } });
    expect(
      await h.metric('brand_resolution_failed_total', {
        reason: 'agent_brand_not_allowed',
        service: 'agent_service',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await h.metric('brand_resolution_failed_total', {
        reason: 'jwt_brand_mismatch',
        service: 'agent_service',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(await h.metric('multi_brand_enforcement_mode', { service: 'agent_service' })).toBe(1);
  });

  it('rejects an unresolved domain with 50 in observe too', async () => {
    const res = await h.call('POST', '/agent/login', {
      host: `unknown-${h.tag}.test`,
      body: { account: 'x', password: 'y' },
    });
    expect(res).toMatchObject({ http: 400, status: 50 });
  });
});

describe('agent auth (off)', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('lets an unresolved domain through without a brand, so brand-scoped routes answer 54', async () => {
    h = await startHarness('auth_off', { mode: 'off' });
    const res = await h.call('POST', '/agent/login', {
      host: `unknown-${h.tag}.test`,
      body: { account: 'x', password: 'yyyyyy' },
    });
    expect(res).toMatchObject({ http: 400, status: 54 });
  });
});
