// Unit tests: money audit rows keep only status/amount/transaction_id deltas (seed 004 P1-4).
import { moneyAuditRow, moneyDelta } from './money-audit';

describe('moneyDelta', () => {
  it('keeps only status, amount and transaction_id', () => {
    expect(
      moneyDelta({
        status: 'approved',
        amount: '10.00',
        transaction_id: 'tx-1',
        balance: 500,
        account: 'alice',
        phone: '1',
      }),
    ).toEqual({ status: 'approved', amount: '10.00', transaction_id: 'tx-1' });
  });

  it('accepts a camelCase transactionId', () => {
    expect(moneyDelta({ transactionId: 9 })).toEqual({ transaction_id: 9 });
  });

  it('is null when nothing relevant is present', () => {
    expect(moneyDelta({ balance: 1 })).toBeNull();
    expect(moneyDelta(undefined)).toBeNull();
  });
});

describe('moneyAuditRow', () => {
  const input = {
    brandId: 2,
    operatorId: 17,
    action: 'ADJUST_BALANCE',
    targetType: 'player' as const,
    targetId: 42,
    before: { amount: 0, full_row: { password: 'x' } },
    after: { amount: 100, status: 'done', transaction_id: 'tx' },
    reason: 'bonus',
    requestId: 'req-9',
  };

  it('maps the target to resource/resource_id and restricts the deltas', () => {
    expect(moneyAuditRow(input)).toEqual({
      brandId: 2,
      operatorId: 17,
      action: 'ADJUST_BALANCE',
      resource: 'player',
      resourceId: 42,
      before: { amount: 0 },
      after: { amount: 100, status: 'done', transaction_id: 'tx' },
      reason: 'bonus',
      requestId: 'req-9',
      payload: {},
    });
  });

  it('refuses a payload that names a secret', () => {
    expect(() => moneyAuditRow({ ...input, payload: { token: 'abc' } })).toThrow(/token/);
  });

  it('refuses a negative brand', () => {
    expect(() => moneyAuditRow({ ...input, brandId: -1 })).toThrow(/brand_id/);
  });
});
