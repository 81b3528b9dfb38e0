/**
 * No OTP, phone, card or bank number in the logs (seed 001 Codex T1-D-C4 /
 * P1-#6): the BUILT agent app runs as a child process with debug logging
 * while every flow that handles those values runs (login, OTP phone and bank
 * edits, a failing SMS provider, recovery, a withdrawal request); its whole
 * stdout/stderr is then searched for the raw values. contact_hash (first 8
 * hex of sha256) is what the lines may carry.
 */
import { contactHashShort } from '@app/crypto';
import { type Harness, startHarness, twoBrands } from './support';

function containsNumber(text: string, value: string): boolean {
  return new RegExp(`(?<![0-9])${value.replace(/[+]/g, '\\+')}(?![0-9])`).test(text);
}

describe('agent logs', () => {
  let h: Harness;
  afterAll(async () => h?.close());

  it('never carry an OTP, phone, card or bank number', async () => {
    h = await startHarness('logs', {
      spawn: true,
      env: { LOG_LEVEL: 'debug', RECOVERY_RATE_LIMIT_PER_IP: '10000' },
    });
    const { alpha, hostA } = await twoBrands(h);
    const phone = '+821047474747';
    const newPhone = '+821058585858';
    const agent = await h.createAgent({ phone, balance: '90000' });
    await h.setAgentBrand(agent.id, alpha, 'enabled');
    const token = await h.login(agent, hostA);
    const secrets: string[] = [
      phone,
      phone.slice(1),
      phone.slice(3),
      newPhone,
      newPhone.slice(1),
      newPhone.slice(3),
      agent.password,
    ];

    expect(
      (await h.call('POST', '/agent/edit/phone/send-sms', { host: hostA, token, body: { phone: newPhone } }))
        .status,
    ).toBe(0);
    const phoneCode = h.sms.lastCode(newPhone);
    expect(
      (
        await h.call('POST', '/agent/edit/phone', {
          host: hostA,
          token,
          body: { phone: newPhone, code: '999999' === phoneCode ? '111111' : '999999' },
        })
      ).status,
    ).toBe(1);
    expect(
      (
        await h.call('POST', '/agent/edit/phone', {
          host: hostA,
          token,
          body: { phone: newPhone, code: phoneCode },
        })
      ).status,
    ).toBe(0);

    expect((await h.call('POST', '/agent/edit/bank/send-sms', { host: hostA, token, body: {} })).status).toBe(
      0,
    );
    const bankCode = h.sms.lastCode(newPhone);
    const bank = {
      bank_id: 'HANA',
      bank_num: '314-159265-35897',
      holder_name: 'Log Test',
      card_number: '4929123412341234',
      code: bankCode,
    };
    expect((await h.call('POST', '/agent/edit/bank', { host: hostA, token, body: bank })).status).toBe(0);
    secrets.push(bank.bank_num, bank.bank_num.replace(/-/g, ''), bank.card_number);

    h.sms.failing = true;
    expect(
      (
        await h.call('POST', '/agent/edit/phone/send-sms', {
          host: hostA,
          token,
          body: { phone: '+821069696969' },
        })
      ).status,
    ).toBe(1);
    h.sms.failing = false;
    secrets.push('+821069696969', '821069696969');

    expect(
      (await h.call('POST', '/agent/withdraw/add', { host: hostA, token, body: { amount: '20000' } })).status,
    ).toBe(0);

    const since = h.sms.messages.length;
    expect(
      (await h.call('POST', '/agent/recovery/request', { host: hostA, body: { contact: newPhone } })).status,
    ).toBe(0);
    const recoveryCode = await h.sms.codeAfter(newPhone, since);
    const verify = await h.call('POST', '/agent/recovery/verify', {
      host: hostA,
      body: { contact: newPhone, code: recoveryCode },
    });
    expect(verify.status).toBe(0);
    expect(
      (
        await h.call('POST', '/agent/recovery/reset', {
          host: hostA,
          body: { reset_token: verify.data.reset_token, new_password: 'log-test-new-1' },
        })
      ).status,
    ).toBe(0);
    secrets.push('log-test-new-1', verify.data.reset_token, token);
    await new Promise((r) => setTimeout(r, 300));

    const output = h.app.output?.() ?? '';
    expect(output.length).toBeGreaterThan(1000);
    // The service did log these flows, by contact hash.
    expect(output).toContain(contactHashShort(newPhone));
    for (const secret of secrets) expect(output.includes(secret)).toBe(false);
    for (const code of [phoneCode, bankCode, recoveryCode]) expect(containsNumber(output, code)).toBe(false);
  });
});
