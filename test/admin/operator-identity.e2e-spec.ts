// Seed 004 "Operator identity (P1-3)" and CONTRACTS §5/§7: admin login mints RS256 admin tokens, every
// /api/v1 route requires one, and require_operator_id's four rules decide the operator of every write.
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { JwtIssuer } from '@app/auth';
import { AdminHarness, api, auditRows, bootAdmin, metricValue, operatorToken, uid } from './harness';

describe('admin operator identity', () => {
  let h: AdminHarness;
  let issuer: JwtIssuer;

  beforeAll(async () => {
    h = await bootAdmin();
    issuer = new JwtIssuer({ privateKeyPem: h.keys.privateKeyPem, kid: h.keys.kid, expiresInSeconds: 600 });
  });
  afterAll(async () => h?.close());

  const newBrand = () => ({ brand_code: `op${uid()}`, name: 'Brand', default_currency: 'KRW' });

  it('logs in with account and password and returns an RS256 admin token carrying admin_id', async () => {
    const { token, adminId } = await operatorToken(h);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: h.keys.kid });
    expect(decodeJwt(token)).toMatchObject({ typ: 'admin', admin_id: adminId });
  });

  it('answers a wrong password and an unknown account with the same status 1', async () => {
    const account = `op_${uid()}`;
    await operatorToken(h, account);
    const wrong = await api(h, 'POST', '/api/v1/auth/login', {
      body: { account, password: 'not-the-password' },
    });
    const unknown = await api(h, 'POST', '/api/v1/auth/login', {
      body: { account: `nobody_${uid()}`, password: 'whatever-pass' },
    });
    expect([wrong.status, wrong.body.status, wrong.body.data]).toEqual([422, 1, null]);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('requires the admin JWT on every other /api/v1 route (401, status 3)', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/brands'],
      ['POST', '/api/v1/brands'],
      ['GET', '/api/v1/brands/config/schema'],
      ['GET', '/api/v1/logs/player-balance'],
      ['POST', '/api/v1/players/1/adjust'],
    ]) {
      const res = await api(h, method, path, { body: method === 'POST' ? {} : undefined });
      expect([path, res.status, res.body.status]).toEqual([path, 401, 3]);
    }
  });

  it('requires it when the /api/v1 prefix is percent-encoded too (the router decodes it)', async () => {
    for (const [method, path] of [
      ['GET', '/%61pi/v1/brands'],
      ['GET', '/%61pi/v1/agents'],
      ['GET', '/%61pi/v1/logs/player-balance'],
      ['GET', '/api/%761/brands/config/schema'],
      ['POST', '/%61pi/v1/domains/rebuild'],
    ]) {
      const res = await api(h, method, path, { body: method === 'POST' ? {} : undefined });
      expect([path, res.status, res.body.status]).toEqual([path, 401, 3]);
    }
  });

  it('refuses tokens minted for another audience or with a forged signature', async () => {
    const player = (await issuer.signPlayer({ playerId: 1, account: 'p', brandId: 1 })).token;
    expect((await api(h, 'GET', '/api/v1/brands', { token: player })).status).toBe(401);
    const { token } = await operatorToken(h);
    const [head, payload] = token.split('.');
    const forged = `${head}.${payload}.${Buffer.from('x'.repeat(256)).toString('base64url')}`;
    expect((await api(h, 'GET', '/api/v1/brands', { token: forged })).body.status).toBe(3);
  });

  it('leaves /health unauthenticated', async () => {
    const res = await api(h, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body.data.checks).toMatchObject({ db: 'ok', redis: 'ok' });
    expect(res.body.data).toMatchObject({
      service: 'admin_service',
      jwt_kid: h.keys.kid,
      jwt_kids: [h.keys.kid],
    });
  });

  it('rejects an X-Operator-Id that disagrees with the JWT admin_id: 403, status 61, header_vs_jwt counted, nothing written', async () => {
    const { token, adminId } = await operatorToken(h);
    const before = await metricValue(h, 'admin_operator_id_mismatch_total', { reason: 'header_vs_jwt' });
    const body = newBrand();
    const res = await api(h, 'POST', '/api/v1/brands', {
      token,
      body,
      headers: { 'x-operator-id': String(adminId + 1000) },
    });
    expect([res.status, res.body.status]).toEqual([403, 61]);
    expect(await metricValue(h, 'admin_operator_id_mismatch_total', { reason: 'header_vs_jwt' })).toBe(
      before + 1,
    );
    expect(await h.ds.query(`SELECT 1 FROM brand WHERE brand_code = $1`, [body.brand_code])).toHaveLength(0);
  });

  it('rejects a mismatching header on reads too (no observe mode for operator identity)', async () => {
    const { token } = await operatorToken(h);
    const res = await api(h, 'GET', '/api/v1/brands', {
      token,
      headers: { 'x-operator-id': 'someone-else' },
    });
    expect([res.status, res.body.status]).toEqual([403, 61]);
  });

  it('accepts a matching header and records the JWT operator on the audit row', async () => {
    const { token, adminId } = await operatorToken(h);
    const res = await api(h, 'POST', '/api/v1/brands', {
      token,
      body: newBrand(),
      headers: { 'x-operator-id': String(adminId) },
    });
    expect([res.status, res.body.status]).toEqual([201, 0]);
    const rows = await auditRows(h, `action = 'CREATE_BRAND' AND resource_id = $1`, [
      String(res.body.data.id),
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ operator_id: String(adminId), brand_id: res.body.data.id });
  });

  it('falls back to the JWT admin_id when no header is sent', async () => {
    const { token, adminId } = await operatorToken(h);
    const res = await api(h, 'POST', '/api/v1/brands', { token, body: newBrand() });
    expect(res.body.status).toBe(0);
    const rows = await auditRows(h, `action = 'CREATE_BRAND' AND resource_id = $1`, [
      String(res.body.data.id),
    ]);
    expect(rows[0].operator_id).toBe(String(adminId));
  });

  it('rejects a verified token without admin_id when a header is supplied: 403, status 61, jwt_missing_claim', async () => {
    const legacy = (await issuer.sign({}, { typ: 'admin' })).token;
    const before = await metricValue(h, 'admin_operator_id_mismatch_total', { reason: 'jwt_missing_claim' });
    const res = await api(h, 'POST', '/api/v1/brands', {
      token: legacy,
      body: newBrand(),
      headers: { 'x-operator-id': '1' },
    });
    expect([res.status, res.body.status]).toEqual([403, 61]);
    expect(await metricValue(h, 'admin_operator_id_mismatch_total', { reason: 'jwt_missing_claim' })).toBe(
      before + 1,
    );
  });

  it('answers 400 status 62 when neither the JWT nor a header names an operator', async () => {
    const legacy = (await issuer.sign({}, { typ: 'admin' })).token;
    const res = await api(h, 'POST', '/api/v1/brands', { token: legacy, body: newBrand() });
    expect([res.status, res.body.status]).toEqual([400, 62]);
  });

  it('refuses the token of an operator that was disabled after login', async () => {
    const { token, adminId } = await operatorToken(h);
    await h.ds.query(`UPDATE admin_operator SET status = 'disabled' WHERE id = $1`, [adminId]);
    expect((await api(h, 'GET', '/api/v1/brands', { token })).status).toBe(401);
  });
});
