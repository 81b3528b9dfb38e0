/**
 * Agent recovery (seed 001 + the player recovery contract, CONTRACTS §7/§11):
 * request → verify → reset per brand; the token's brand wins over the domain;
 * a brand not enabled in agent_brand is refused in every mode (52); unknown
 * contacts answer exactly like known ones; one recovery_audit row per
 * outcome with subject_type='agent'; brand_id=0 only when no brand resolved.
 */
import { decodeJwt } from 'jose';
import { contactHash } from '@app/crypto';
import { type AgentRow, type Harness, startHarness, twoBrands } from './support';

interface AuditRow {
  brand_id: number;
  subject_type: string;
  subject_id: string | null;
  action: string;
  outcome: string;
  contact_hash: string | null;
  metadata: Record<string, unknown>;
}

async function auditRows(h: Harness, contact: string | null): Promise<AuditRow[]> {
  const { rows } = await h.pg.query<AuditRow>(
    `SELECT brand_id, subject_type, subject_id, action, outcome, contact_hash, metadata FROM recovery_audit
      WHERE ($1::text IS NULL OR contact_hash = $1) ORDER BY id`,
    [contact === null ? null : contactHash(contact)],
  );
  return rows;
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
}

describe('agent recovery (observe mode: the brand checks are strict anyway)', () => {
  let h: Harness;
  let alpha: number;
  let beta: number;
  let hostA: string;
  let hostB: string;
  let agent: AgentRow;

  beforeAll(async () => {
    h = await startHarness('recovery', { mode: 'observe', env: { RECOVERY_RATE_LIMIT_PER_IP: '10000' } });
    ({ alpha, beta, hostA, hostB } = await twoBrands(h));
    agent = await h.createAgent({ phone: '+821020203030' });
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    await h.setAgentBrand(agent.id, beta, 'enabled');
  });
  afterAll(async () => h?.close());

  it('recovers in brand alpha: code by SMS, single-use reset token with brand_id, password changed, tokens revoked', async () => {
    const session = await h.login(agent, hostA);
    const since = h.sms.messages.length;
    const req = await h.call('POST', '/agent/recovery/request', {
      host: hostA,
      body: { contact: agent.phone },
    });
    expect(req).toMatchObject({ http: 200, status: 0, data: { accepted: true } });
    const code = await h.sms.codeAfter(agent.phone as string, since);
    const verify = await h.call('POST', '/agent/recovery/verify', {
      host: hostA,
      body: { contact: agent.phone, code },
    });
    expect(verify.status).toBe(0);
    const token = verify.data.reset_token;
    expect(decodeJwt(token)).toMatchObject({
      typ: 'recovery',
      subject_type: 'agent',
      sub: String(agent.id),
      brand_id: alpha,
    });
    const reset = await h.call('POST', '/agent/recovery/reset', {
      host: hostA,
      body: { reset_token: token, new_password: 'recovered-1' },
    });
    expect(reset).toMatchObject({ status: 0, data: null });
    expect(
      (
        await h.call('POST', '/agent/recovery/reset', {
          host: hostA,
          body: { reset_token: token, new_password: 'recovered-2' },
        })
      ).status,
    ).toBe(1);
    expect((await h.call('GET', '/agent/info', { host: hostA, token: session })).status).toBe(3);
    agent.password = 'recovered-1';
    expect(
      (
        await h.call('POST', '/agent/login', {
          host: hostA,
          body: { account: agent.account, password: 'recovered-1' },
        })
      ).status,
    ).toBe(0);

    const rows = await auditRows(h, agent.phone);
    expect(rows.map((r) => [r.brand_id, r.action, r.outcome])).toEqual([
      [alpha, 'REQUEST', 'issued'],
      [alpha, 'VERIFY', 'success'],
    ]);
    expect(rows.every((r) => r.subject_type === 'agent' && r.subject_id === String(agent.id))).toBe(true);
    const { rows: all } = await h.pg.query(
      `SELECT brand_id, action, outcome, subject_type FROM recovery_audit WHERE action IN ('RESET', 'TOKEN_INVALID') ORDER BY id`,
    );
    expect(all).toEqual([
      { brand_id: alpha, action: 'RESET', outcome: 'success', subject_type: 'agent' },
      { brand_id: alpha, action: 'TOKEN_INVALID', outcome: 'rejected', subject_type: 'agent' },
    ]);
  });

  it('recovers independently in brand beta: codes are per brand', async () => {
    let since = h.sms.messages.length;
    await h.call('POST', '/agent/recovery/request', { host: hostA, body: { contact: agent.phone } });
    const codeA = await h.sms.codeAfter(agent.phone as string, since);
    since = h.sms.messages.length;
    await h.call('POST', '/agent/recovery/request', { host: hostB, body: { contact: agent.phone } });
    const codeB = await h.sms.codeAfter(agent.phone as string, since);
    if (codeA !== codeB) {
      expect(
        (
          await h.call('POST', '/agent/recovery/verify', {
            host: hostB,
            body: { contact: agent.phone, code: codeA },
          })
        ).status,
      ).toBe(1);
    }
    const verifyB = await h.call('POST', '/agent/recovery/verify', {
      host: hostB,
      body: { contact: agent.phone, code: codeB },
    });
    expect(decodeJwt(verifyB.data.reset_token).brand_id).toBe(beta);
    const verifyA = await h.call('POST', '/agent/recovery/verify', {
      host: hostA,
      body: { contact: agent.phone, code: codeA },
    });
    expect(decodeJwt(verifyA.data.reset_token).brand_id).toBe(alpha);
    const { rows } = await h.pg.query(
      `SELECT DISTINCT brand_id FROM recovery_audit WHERE action = 'VERIFY' AND outcome = 'success'`,
    );
    expect(rows.map((r) => r.brand_id).sort()).toEqual([alpha, beta].sort());
  });

  it("lets the token's brand win over the request domain", async () => {
    const since = h.sms.messages.length;
    await h.call('POST', '/agent/recovery/request', { host: hostA, body: { contact: agent.phone } });
    const code = await h.sms.codeAfter(agent.phone as string, since);
    const verify = await h.call('POST', '/agent/recovery/verify', {
      host: hostA,
      body: { contact: agent.phone, code },
    });
    const res = await h.call('POST', '/agent/recovery/reset', {
      host: hostB,
      body: { reset_token: verify.data.reset_token, new_password: 'cross-domain-1' },
    });
    expect(res.status).toBe(0);
    const { rows } = await h.pg.query(
      `SELECT brand_id, metadata FROM recovery_audit WHERE action = 'RESET' ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({ brand_id: alpha, metadata: { brand_source: 'token' } });
    agent.password = 'cross-domain-1';
  });

  it('refuses a reset for a brand the agent is no longer enabled in with 52, even in observe mode', async () => {
    const since = h.sms.messages.length;
    await h.call('POST', '/agent/recovery/request', { host: hostB, body: { contact: agent.phone } });
    const code = await h.sms.codeAfter(agent.phone as string, since);
    const verify = await h.call('POST', '/agent/recovery/verify', {
      host: hostB,
      body: { contact: agent.phone, code },
    });
    await h.setAgentBrand(agent.id, beta, 'disabled');
    try {
      const res = await h.call('POST', '/agent/recovery/reset', {
        host: hostA,
        body: { reset_token: verify.data.reset_token, new_password: 'never-set-1' },
      });
      expect(res).toMatchObject({ http: 403, status: 52 });
      expect(
        (
          await h.call('POST', '/agent/login', {
            host: hostA,
            body: { account: agent.account, password: 'never-set-1' },
          })
        ).status,
      ).toBe(1);
      const { rows } = await h.pg.query(
        `SELECT brand_id, outcome FROM recovery_audit WHERE action = 'BRAND_NOT_ALLOWED' ORDER BY id DESC LIMIT 1`,
      );
      expect(rows[0]).toEqual({ brand_id: beta, outcome: 'rejected' });

      // A request in that brand answers exactly like an unknown contact and sends nothing.
      const sentBefore = h.sms.messages.length;
      const known = await h.call('POST', '/agent/recovery/request', {
        host: hostB,
        body: { contact: agent.phone },
      });
      const unknown = await h.call('POST', '/agent/recovery/request', {
        host: hostB,
        body: { contact: '+821000000001' },
      });
      await settle();
      expect({ s: known.status, m: known.msg, d: known.data }).toEqual({
        s: unknown.status,
        m: unknown.msg,
        d: unknown.data,
      });
      expect(h.sms.messages.length).toBe(sentBefore);
    } finally {
      await h.setAgentBrand(agent.id, beta, 'enabled');
    }
  });

  it('answers unknown contacts with the same bytes as known ones, and a wrong code like an unknown contact', async () => {
    const known = await h.call('POST', '/agent/recovery/request', {
      host: hostA,
      body: { contact: agent.phone },
    });
    const unknown = await h.call('POST', '/agent/recovery/request', {
      host: hostA,
      body: { contact: '+821000000002' },
    });
    expect(JSON.stringify([unknown.http, unknown.status, unknown.msg, unknown.data])).toBe(
      JSON.stringify([known.http, known.status, known.msg, known.data]),
    );
    const wrong = await h.call('POST', '/agent/recovery/verify', {
      host: hostA,
      body: { contact: agent.phone, code: '000000' },
    });
    const ghost = await h.call('POST', '/agent/recovery/verify', {
      host: hostA,
      body: { contact: '+821000000002', code: '123456' },
    });
    expect([wrong.status, wrong.msg]).toEqual([ghost.status, ghost.msg]);
    expect(wrong.status).toBe(1);
    const rows = await auditRows(h, '+821000000002');
    expect(rows.map((r) => [r.action, r.outcome, r.subject_id])).toEqual([
      ['REQUEST', 'unknown_contact', null],
      ['VERIFY', 'invalid_code', null],
    ]);
  });

  it('serves the legacy one-call /agent/forget and /user/forget', async () => {
    const since = h.sms.messages.length;
    const step1 = await h.call('POST', '/user/forget', { host: hostA, body: { contact: agent.phone } });
    expect(step1).toMatchObject({ status: 0, data: { step: 'requested' } });
    const code = await h.sms.codeAfter(agent.phone as string, since);
    expect(
      (await h.call('POST', '/agent/forget', { host: hostA, body: { contact: agent.phone, code } })).status,
    ).toBe(2);
    const step2 = await h.call('POST', '/agent/forget', {
      host: hostA,
      body: { contact: agent.phone, code, new_password: 'forgot-it-1' },
    });
    expect(step2).toMatchObject({ status: 0, data: { step: 'reset' } });
    expect(
      (
        await h.call('POST', '/agent/login', {
          host: hostA,
          body: { account: agent.account, password: 'forgot-it-1' },
        })
      ).status,
    ).toBe(0);
  });

  it('rate-limits requests per contact and audits RATE_LIMITED', async () => {
    const contact = '+821099990000';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push(
        (await h.call('POST', '/agent/recovery/request', { host: hostA, body: { contact } })).status,
      );
    expect(statuses).toEqual([0, 0, 0, 0, 0, 6]);
    expect((await auditRows(h, contact)).map((r) => r.action)).toContain('RATE_LIMITED');
  });
});

describe('agent recovery without a brand (off mode, unknown domain)', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('refuses with 54 and records one brand_id=0 audit row', async () => {
    h = await startHarness('recovery_off', { mode: 'off' });
    const res = await h.call('POST', '/agent/recovery/request', {
      host: `nowhere-${h.tag}.test`,
      body: { contact: '+821055556666' },
    });
    expect(res).toMatchObject({ http: 400, status: 54 });
    const rows = await auditRows(h, '+821055556666');
    expect(rows).toEqual([
      expect.objectContaining({
        brand_id: 0,
        subject_type: 'agent',
        action: 'REQUEST',
        outcome: 'rejected',
        metadata: { step: 'request', reason: 'brand_context_missing' },
      }),
    ]);
    const { rows: all } = await h.pg.query(
      `SELECT count(*)::int AS n FROM recovery_audit WHERE brand_id = 0`,
    );
    expect(all[0].n).toBe(1);
  });
});
