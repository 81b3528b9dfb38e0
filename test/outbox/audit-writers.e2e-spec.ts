// recovery_audit / admin_audit rows commit with the audited change, never alone, and never carry secrets (seeds 000, 001, 004).
import { contactHash, ipHash } from '@app/crypto';
import { AdminAuditWriter, ForbiddenAuditKeyError, RecoveryAuditWriter, writeMoneyAudit } from '@app/audit';
import { TransactionRequiredError } from '@app/outbox';
import { metricValue, startHarness, type Harness } from './harness';

const LABEL = 'audit-writers';

describe('audit writers', () => {
  let h: Harness;
  const recovery = new RecoveryAuditWriter();
  const admin = new AdminAuditWriter();

  beforeAll(async () => {
    h = await startHarness(LABEL);
    await h.dataSource.query('CREATE TABLE audited_state (id int PRIMARY KEY, value text NOT NULL)');
    // Simulates a database-side audit failure (partition full, outage) for rows marked FAIL_ME.
    await h.dataSource.query(`CREATE FUNCTION fail_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$`);
    for (const table of ['recovery_audit', 'admin_audit']) {
      await h.dataSource.query(
        `CREATE TRIGGER ${table}_fail_me BEFORE INSERT ON ${table} FOR EACH ROW WHEN (NEW.action = 'FAIL_ME') EXECUTE FUNCTION fail_audit_insert()`,
      );
    }
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.dataSource.query('DELETE FROM audited_state');
  });

  const count = async (table: string, requestId: string): Promise<number> =>
    (
      await h.dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE request_id = $1`, [requestId])
    )[0].n;

  it('commits a recovery_audit row with the transaction, hashes only', async () => {
    const hash = contactHash('+1 555 000 1111');
    await h.dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO audited_state VALUES (1, 'new-password-hash')`);
      await recovery.write(m, {
        brandId: 2,
        subjectType: 'player',
        subjectId: 42,
        action: 'RESET',
        outcome: 'success',
        contactHash: hash,
        ipHash: ipHash('::ffff:10.0.0.1'),
        requestId: 'rec-commit',
        metadata: { channel: 'sms' },
      });
    });
    const rows = await h.dataSource.query(
      `SELECT brand_id, subject_type, subject_id, action, outcome, contact_hash, ip_hash, metadata FROM recovery_audit WHERE request_id = 'rec-commit'`,
    );
    expect(rows).toEqual([
      {
        brand_id: 2,
        subject_type: 'player',
        subject_id: '42',
        action: 'RESET',
        outcome: 'success',
        contact_hash: hash,
        ip_hash: ipHash('10.0.0.1'),
        metadata: { channel: 'sms' },
      },
    ]);
  });

  it('leaves no audit row when the transaction rolls back', async () => {
    await expect(
      h.dataSource.transaction(async (m) => {
        await recovery.write(m, {
          brandId: 1,
          subjectType: 'agent',
          action: 'VERIFY',
          outcome: 'rejected',
          requestId: 'rec-rollback',
        });
        await admin.write(m, {
          brandId: 1,
          operatorId: 'agent:g-1',
          action: 'AGENT_EDIT_PHONE',
          resource: 'agent',
          requestId: 'adm-rollback',
        });
        throw new Error('side effect failed');
      }),
    ).rejects.toThrow('side effect failed');
    expect(await count('recovery_audit', 'rec-rollback')).toBe(0);
    expect(await count('admin_audit', 'adm-rollback')).toBe(0);
  });

  it('rolls back the audited change when the audit insert fails', async () => {
    // seed 000: the password UPDATE on /reset and its audit row commit together or not at all.
    await expect(
      h.dataSource.transaction(async (m) => {
        await m.query(`INSERT INTO audited_state VALUES (7, 'new-password-hash')`);
        await recovery.write(m, {
          brandId: 1,
          subjectType: 'player',
          action: 'FAIL_ME',
          outcome: 'success',
          requestId: 'rec-fail',
        });
      }),
    ).rejects.toThrow(/audit storage unavailable/);
    expect(await h.dataSource.query('SELECT * FROM audited_state')).toEqual([]);
    expect(await count('recovery_audit', 'rec-fail')).toBe(0);

    // seed 001: an agent payout-account swap cannot proceed unaudited.
    await expect(
      h.dataSource.transaction(async (m) => {
        await m.query(`INSERT INTO audited_state VALUES (8, 'new-bank')`);
        await admin.write(m, {
          brandId: 3,
          operatorId: 'agent:g-8',
          action: 'FAIL_ME',
          resource: 'agent',
          resourceId: 8,
          requestId: 'adm-fail',
        });
      }),
    ).rejects.toThrow(/audit storage unavailable/);
    expect(await h.dataSource.query('SELECT * FROM audited_state')).toEqual([]);
    expect(await count('admin_audit', 'adm-fail')).toBe(0);
  });

  it('rolls back the audited change when the writer refuses the row', async () => {
    await expect(
      h.dataSource.transaction(async (m) => {
        await m.query(`INSERT INTO audited_state VALUES (9, 'changed')`);
        await admin.write(m, {
          brandId: 3,
          operatorId: 9,
          action: 'EDIT',
          resource: 'agent',
          payload: { new_password: 'hunter2' },
        });
      }),
    ).rejects.toBeInstanceOf(ForbiddenAuditKeyError);
    expect(await h.dataSource.query('SELECT * FROM audited_state')).toEqual([]);
  });

  it('commits an admin_audit row with before/after and payload', async () => {
    const id = await h.dataSource.transaction((m) =>
      admin.write(m, {
        brandId: 0,
        operatorId: 17,
        action: 'BRAND_CONFIG_IMPORT',
        resource: 'brand_config',
        resourceId: 4,
        before: { theme: 'dark' },
        after: { theme: 'light' },
        reason: 'rebrand',
        requestId: 'adm-commit',
        payload: { dry_run: false },
      }),
    );
    const [row] = await h.dataSource.query('SELECT * FROM admin_audit WHERE id = $1', [id]);
    expect(row).toMatchObject({
      brand_id: 0,
      operator_id: '17',
      action: 'BRAND_CONFIG_IMPORT',
      resource: 'brand_config',
      resource_id: '4',
      before: { theme: 'dark' },
      after: { theme: 'light' },
      reason: 'rebrand',
      payload: { dry_run: false },
    });
  });

  it('refuses to write outside a transaction', async () => {
    await expect(
      recovery.write(h.dataSource.manager, {
        brandId: 1,
        subjectType: 'player',
        action: 'REQUEST',
        outcome: 'accepted',
        requestId: 'rec-notx',
      }),
    ).rejects.toBeInstanceOf(TransactionRequiredError);
    await expect(
      admin.write(h.dataSource.manager, {
        brandId: 1,
        operatorId: 1,
        action: 'X',
        resource: 'player',
        requestId: 'adm-notx',
      }),
    ).rejects.toBeInstanceOf(TransactionRequiredError);
    expect(await count('recovery_audit', 'rec-notx')).toBe(0);
    expect(await count('admin_audit', 'adm-notx')).toBe(0);
  });

  it.each([
    ['password', { password: 'x' }],
    ['token', { reset_token: 'x' }],
    ['code', { code: '123456' }],
    ['otp', { otp: '1' }],
    ['phone', { phone: '+15550001111' }],
    ['contact', { contact: 'a@b.c' }],
    ['card_number', { card: { card_number: '4111' } }],
    ['bank_num', { bank_num: '123' }],
  ])('refuses a metadata key named %s', async (_name, metadata) => {
    await expect(
      h.dataSource.transaction((m) =>
        recovery.write(m, {
          brandId: 1,
          subjectType: 'player',
          action: 'REQUEST',
          outcome: 'accepted',
          requestId: 'rec-forbidden',
          metadata,
        }),
      ),
    ).rejects.toBeInstanceOf(ForbiddenAuditKeyError);
    expect(await count('recovery_audit', 'rec-forbidden')).toBe(0);
  });

  it('refuses a raw contact in place of its hash', async () => {
    await expect(
      h.dataSource.transaction((m) =>
        recovery.write(m, {
          brandId: 1,
          subjectType: 'player',
          action: 'REQUEST',
          outcome: 'accepted',
          contactHash: '+15550001111',
        }),
      ),
    ).rejects.toThrow(/SHA-256/);
  });

  it('writes a money audit with restricted deltas after the money moved', async () => {
    const logger = { error: jest.fn() };
    const ok = await writeMoneyAudit(
      h.dataSource,
      {
        brandId: 2,
        operatorId: 5,
        action: 'ADJUST_BALANCE',
        targetType: 'player',
        targetId: 42,
        before: { amount: '0.00', balance: '100.00' },
        after: { amount: '25.00', status: 'done', transaction_id: 'tx-9', balance: '125.00' },
        reason: 'goodwill',
        requestId: 'money-ok',
      },
      { route: 'POST /api/v1/players/:id/adjust', logger },
    );
    expect(ok).toBe(true);
    expect(logger.error).not.toHaveBeenCalled();
    const [row] = await h.dataSource.query(`SELECT * FROM admin_audit WHERE request_id = 'money-ok'`);
    expect(row).toMatchObject({
      brand_id: 2,
      operator_id: '5',
      resource: 'player',
      resource_id: '42',
      before: { amount: '0.00' },
      after: { amount: '25.00', status: 'done', transaction_id: 'tx-9' },
    });
  });

  it('reports, counts and swallows a money audit failure (the money write already happened)', async () => {
    const route = 'POST /api/v1/agents/:id/adjust-balance';
    const before = await metricValue('admin_audit_write_failed_total', { route });
    const logger = { error: jest.fn() };
    const ok = await writeMoneyAudit(
      h.dataSource,
      {
        brandId: 3,
        operatorId: 5,
        action: 'FAIL_ME',
        targetType: 'agent',
        targetId: 1,
        requestId: 'money-fail',
      },
      { route, logger },
    );
    expect(ok).toBe(false);
    expect(await metricValue('admin_audit_write_failed_total', { route })).toBe(before + 1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({
        route,
        request_id: 'money-fail',
        error: expect.stringMatching(/audit storage unavailable/),
      }),
    );
    expect(await count('admin_audit', 'money-fail')).toBe(0);
  });

  it('is append-only at the database level', async () => {
    await h.dataSource.transaction((m) =>
      admin.write(m, {
        brandId: 1,
        operatorId: 1,
        action: 'X',
        resource: 'player',
        requestId: 'append-only',
      }),
    );
    await expect(
      h.dataSource.query(`UPDATE admin_audit SET action = 'Y' WHERE request_id = 'append-only'`),
    ).rejects.toThrow();
    await expect(
      h.dataSource.query(`DELETE FROM admin_audit WHERE request_id = 'append-only'`),
    ).rejects.toThrow();
  });
});
