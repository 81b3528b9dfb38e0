/**
 * Audited OTP edits (seed 001 T1-D-C4): phone and payout-bank changes need a
 * CSPRNG code sent by SMS; send-sms and the edit each write an admin_audit
 * row (`operator_id='agent:<guid>'`, `resource='agent'`), the edit's row in
 * the same transaction as the agent-row UPDATE; payloads carry
 * contact_hash / bank_id only.
 */
import { contactHash } from '@app/crypto';
import { contactLookupHash } from '@app/recovery';
import {
  type AgentRow,
  type Harness,
  PASSWORD_SALT,
  pii,
  startHarness,
  twoBrands,
  randomPhone,
} from './support';

interface AuditRow {
  brand_id: number;
  operator_id: string;
  action: string;
  resource: string;
  resource_id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  payload: Record<string, unknown>;
  request_id: string | null;
}

describe('agent OTP edits', () => {
  let h: Harness;
  let alpha: number;
  let hostA: string;

  beforeAll(async () => {
    h = await startHarness('edits');
    ({ alpha, hostA } = await twoBrands(h));
  });
  afterAll(async () => h?.close());

  async function agentWithToken(): Promise<{ agent: AgentRow; token: string }> {
    const agent = await h.createAgent({ phone: randomPhone() });
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    return { agent, token: await h.login(agent, hostA) };
  }

  async function audits(agentId: number): Promise<AuditRow[]> {
    const { rows } = await h.pg.query<AuditRow>(
      `SELECT brand_id, operator_id, action, resource, resource_id, before, after, payload, request_id
         FROM admin_audit WHERE resource = 'agent' AND resource_id = $1 ORDER BY id`,
      [String(agentId)],
    );
    return rows;
  }

  it('changes the phone with the code sent to the new phone, auditing both steps', async () => {
    const { agent, token } = await agentWithToken();
    const newPhone = '+821055501234';
    const sent = await h.call('POST', '/agent/edit/phone/send-sms', {
      host: hostA,
      token,
      body: { phone: newPhone },
      headers: { 'x-request-id': 'edit-req-1' },
    });
    expect(sent).toMatchObject({ status: 0, data: { sent: true, expires_in: 300 } });
    const code = h.sms.lastCode(newPhone);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await h.call('POST', '/agent/edit/phone', {
      host: hostA,
      token,
      body: { phone: newPhone, code: code === '000000' ? '111111' : '000000' },
    });
    expect(wrong).toMatchObject({ status: 1, msg: 'invalid or expired verification code' });

    const res = await h.call('POST', '/agent/edit/phone/send-sms', {
      host: hostA,
      token,
      body: { phone: newPhone },
    });
    expect(res.status).toBe(0);
    const code2 = h.sms.lastCode(newPhone);
    const done = await h.call('POST', '/agent/edit/phone', {
      host: hostA,
      token,
      body: { phone: newPhone, code: code2 },
    });
    expect(done).toMatchObject({ status: 0, data: null });

    const { rows } = await h.pg.query(`SELECT phone_num, phone_hash FROM agent WHERE guid = $1`, [agent.id]);
    expect(rows[0].phone_num).toMatch(/^aesgcm:v1:/);
    expect(pii.decrypt(rows[0].phone_num)).toBe(newPhone);
    expect(rows[0].phone_hash).toBe(contactLookupHash(newPhone, PASSWORD_SALT));

    const trail = await audits(agent.id);
    expect(trail.map((r) => r.action)).toEqual([
      'AGENT_EDIT_PHONE_SEND_SMS',
      'AGENT_EDIT_PHONE_SEND_SMS',
      'AGENT_EDIT_PHONE',
    ]);
    for (const row of trail) {
      expect(row).toMatchObject({
        brand_id: alpha,
        operator_id: `agent:${agent.id}`,
        resource: 'agent',
        resource_id: String(agent.id),
      });
      expect(JSON.stringify(row)).not.toContain(newPhone.slice(1));
      expect(JSON.stringify(row)).not.toContain(code2);
    }
    expect(trail[0].payload).toEqual({ contact_hash: contactHash(newPhone), delivered: true });
    expect(trail[0].request_id).toBe('edit-req-1');
    expect(trail[2].after).toEqual({ contact_hash: contactHash(newPhone) });
    expect(trail[2].before).toEqual({ contact_hash: contactHash(agent.phone as string) });
    expect(trail[2].payload).toEqual({ contact_hash: contactHash(newPhone) });

    // The code is single use.
    expect(
      (
        await h.call('POST', '/agent/edit/phone', {
          host: hostA,
          token,
          body: { phone: newPhone, code: code2 },
        })
      ).status,
    ).toBe(1);
    const { rows: events } = await h.pg.query(
      `SELECT brand_id, event_type, envelope FROM agent_outbox WHERE aggregate_id = $1 AND event_type = 'AGENT_PHONE_CHANGED'`,
      [String(agent.id)],
    );
    expect(events).toHaveLength(1);
    expect(events[0].envelope).toMatchObject({
      schema_version: 2,
      brand_id: alpha,
      payload: { contact_hash: contactHash(newPhone), brand_id: alpha },
    });
  });

  it('refuses a code sent to another phone than the one submitted', async () => {
    const { agent, token } = await agentWithToken();
    await h.call('POST', '/agent/edit/phone/send-sms', {
      host: hostA,
      token,
      body: { phone: '+821011112222' },
    });
    const code = h.sms.lastCode('+821011112222');
    const res = await h.call('POST', '/agent/edit/phone', {
      host: hostA,
      token,
      body: { phone: '+821033334444', code },
    });
    expect(res.status).toBe(1);
    expect(
      pii.decrypt(
        (await h.pg.query(`SELECT phone_num FROM agent WHERE guid = $1`, [agent.id])).rows[0].phone_num,
      ),
    ).toBe(agent.phone);
  });

  it('changes the payout bank with a code sent to the phone on file; the audit carries bank_id only', async () => {
    const { agent, token } = await agentWithToken();
    const sent = await h.call('POST', '/agent/edit/bank/send-sms', {
      host: hostA,
      token,
      headers: { 'content-type': 'application/json' },
      body: {},
    });
    expect(sent).toMatchObject({ status: 0, data: { sent: true } });
    const code = h.sms.lastCode(agent.phone as string);
    const body = {
      bank_id: 'SHINHAN',
      bank_num: '999-888-777666',
      holder_name: 'Kim Agent',
      card_number: '5555666677778888',
      code,
    };
    expect(
      (await h.call('POST', '/agent/edit/bank', { host: hostA, token, body: { ...body, bank_id: 'NOPE' } }))
        .status,
    ).toBe(2);
    const done = await h.call('POST', '/agent/edit/bank', { host: hostA, token, body });
    expect(done).toMatchObject({ status: 0, data: null });
    const { rows } = await h.pg.query(
      `SELECT bank_name, bank_num, card_number, holder_name FROM agent WHERE guid = $1`,
      [agent.id],
    );
    expect(rows[0]).toMatchObject({ bank_name: 'SHINHAN', holder_name: 'Kim Agent' });
    expect(rows[0].bank_num).toMatch(/^aesgcm:v1:/);
    expect(pii.decrypt(rows[0].bank_num)).toBe('999-888-777666');
    expect(pii.decrypt(rows[0].card_number)).toBe('5555666677778888');

    const trail = await audits(agent.id);
    expect(trail.map((r) => r.action)).toEqual(['AGENT_EDIT_BANK_SEND_SMS', 'AGENT_EDIT_BANK']);
    expect(trail[0].payload).toEqual({ contact_hash: contactHash(agent.phone as string), delivered: true });
    expect(trail[1]).toMatchObject({
      operator_id: `agent:${agent.id}`,
      before: { bank_id: null },
      after: { bank_id: 'SHINHAN' },
      payload: { bank_id: 'SHINHAN' },
    });
    const text = JSON.stringify(trail);
    for (const secret of ['999-888-777666', '5555666677778888', code, (agent.phone as string).slice(1)])
      expect(text).not.toContain(secret);

    const card = await h.call('GET', '/agent/bank/card', { host: hostA, token });
    expect(card.data).toEqual({
      bank_id: 'SHINHAN',
      bank_name: 'Shinhan Bank',
      bank_num: '**********7666',
      card_number: '************8888',
      holder_name: 'Kim Agent',
    });
  });

  it('refuses the bank code when no phone is on file', async () => {
    const agent = await h.createAgent({ phone: null });
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    const token = await h.login(agent, hostA);
    expect(await h.call('POST', '/agent/edit/bank/send-sms', { host: hostA, token, body: {} })).toMatchObject(
      { status: 1, msg: 'no phone number on file' },
    );
    expect(await audits(agent.id)).toEqual([]);
  });

  it('writes no audit row when the agent update fails at commit, and keeps the old phone', async () => {
    const { agent, token } = await agentWithToken();
    await h.pg.query(`
      CREATE OR REPLACE FUNCTION test_refuse_agent_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'agent update refused by test'; END $$`);
    await h.pg.query(`
      CREATE CONSTRAINT TRIGGER test_refuse_agent_update AFTER UPDATE ON agent
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.guid = ${agent.id}) EXECUTE FUNCTION test_refuse_agent_update()`);
    try {
      await h.call('POST', '/agent/edit/phone/send-sms', {
        host: hostA,
        token,
        body: { phone: '+821077778888' },
      });
      const code = h.sms.lastCode('+821077778888');
      const res = await h.call('POST', '/agent/edit/phone', {
        host: hostA,
        token,
        body: { phone: '+821077778888', code },
      });
      expect(res.status).not.toBe(0);
      expect(JSON.stringify(res)).not.toContain('refused by test');
    } finally {
      await h.pg.query(`DROP TRIGGER test_refuse_agent_update ON agent`);
    }
    expect((await audits(agent.id)).map((r) => r.action)).toEqual(['AGENT_EDIT_PHONE_SEND_SMS']);
    expect(
      pii.decrypt(
        (await h.pg.query(`SELECT phone_num FROM agent WHERE guid = $1`, [agent.id])).rows[0].phone_num,
      ),
    ).toBe(agent.phone);
    const { rows } = await h.pg.query(
      `SELECT 1 FROM agent_outbox WHERE aggregate_id = $1 AND event_type = 'AGENT_PHONE_CHANGED'`,
      [String(agent.id)],
    );
    expect(rows).toEqual([]);
  });

  it('keeps the old payout bank when the audit insert fails', async () => {
    const { agent, token } = await agentWithToken();
    await h.call('POST', '/agent/edit/bank/send-sms', { host: hostA, token, body: {} });
    const code = h.sms.lastCode(agent.phone as string);
    await h.pg.query(`
      CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit refused by test'; END $$`);
    await h.pg.query(
      `CREATE TRIGGER test_refuse_audit BEFORE INSERT ON admin_audit FOR EACH ROW WHEN (NEW.action = 'AGENT_EDIT_BANK') EXECUTE FUNCTION test_refuse_audit()`,
    );
    try {
      const res = await h.call('POST', '/agent/edit/bank', {
        host: hostA,
        token,
        body: { bank_id: 'KB', bank_num: '123-456-789012', holder_name: 'X', code },
      });
      expect(res.status).not.toBe(0);
    } finally {
      await h.pg.query(`DROP TRIGGER test_refuse_audit ON admin_audit`);
    }
    const { rows } = await h.pg.query(`SELECT bank_name, bank_num FROM agent WHERE guid = $1`, [agent.id]);
    expect(rows[0]).toEqual({ bank_name: null, bank_num: null });
    expect((await audits(agent.id)).map((r) => r.action)).toEqual(['AGENT_EDIT_BANK_SEND_SMS']);
  });

  it('answers status 1 and keeps no usable code when the SMS provider fails', async () => {
    const { agent, token } = await agentWithToken();
    h.sms.failing = true;
    try {
      const res = await h.call('POST', '/agent/edit/phone/send-sms', {
        host: hostA,
        token,
        body: { phone: '+821066667777' },
      });
      expect(res).toMatchObject({ status: 1, msg: 'verification code could not be sent' });
    } finally {
      h.sms.failing = false;
    }
    const trail = await audits(agent.id);
    expect(trail).toHaveLength(1);
    expect(trail[0].payload).toEqual({ contact_hash: contactHash('+821066667777'), delivered: false });
    expect(await h.redis.exists(`agent-otp:phone:${agent.id}`)).toBe(0);
    expect(
      await h.metric('recovery_sms_delivery_failed_total', { service: 'agent_service' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('serves the same flow on the legacy /user/edit/* paths', async () => {
    const { agent, token } = await agentWithToken();
    expect(
      (
        await h.call('POST', '/user/edit/phone/send-sms', {
          host: hostA,
          token,
          body: { phone: '+821012121212' },
        })
      ).status,
    ).toBe(0);
    const code = h.sms.lastCode('+821012121212');
    expect(
      (
        await h.call('POST', '/user/edit/phone', {
          host: hostA,
          token,
          body: { phone: '+821012121212', code },
        })
      ).status,
    ).toBe(0);
    expect((await audits(agent.id)).map((r) => r.action)).toEqual([
      'AGENT_EDIT_PHONE_SEND_SMS',
      'AGENT_EDIT_PHONE',
    ]);
  });

  it('rate-limits code requests per agent', async () => {
    const { token } = await agentWithToken();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push(
        (
          await h.call('POST', '/agent/edit/phone/send-sms', {
            host: hostA,
            token,
            body: { phone: '+821043214321' },
          })
        ).status,
      );
    }
    expect(statuses).toEqual([0, 0, 0, 0, 0, 6]);
  });
});
