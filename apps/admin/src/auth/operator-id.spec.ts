// Unit tests of require_operator_id's four rules (seed 004 "Operator identity (P1-3)").
import { register } from 'prom-client';
import { OperatorIdMismatchError, OperatorIdRequiredError } from '@app/http';
import { resolveOperatorId } from './operator-id';

async function mismatches(reason: string): Promise<number> {
  const metric = register.getSingleMetric('admin_operator_id_mismatch_total');
  const values = metric ? (await metric.get()).values : [];
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('resolveOperatorId', () => {
  it('uses the JWT admin_id when no header is sent (rule 2)', () => {
    expect(resolveOperatorId(7, undefined)).toBe(7);
    expect(resolveOperatorId(7, '  ')).toBe(7);
  });

  it('accepts a header equal to the JWT admin_id', () => {
    expect(resolveOperatorId(7, ' 7 ')).toBe(7);
  });

  it('rejects a disagreeing header and counts header_vs_jwt (rule 1)', async () => {
    const before = await mismatches('header_vs_jwt');
    for (const header of ['8', '07', 'admin', ['7', '8']]) {
      expect(() => resolveOperatorId(7, header)).toThrow(OperatorIdMismatchError);
    }
    expect(await mismatches('header_vs_jwt')).toBe(before + 4);
  });

  it('rejects a header when the JWT has no admin_id and counts jwt_missing_claim (rule 3)', async () => {
    const before = await mismatches('jwt_missing_claim');
    expect(() => resolveOperatorId(undefined, '7')).toThrow(OperatorIdMismatchError);
    expect(await mismatches('jwt_missing_claim')).toBe(before + 1);
  });

  it('refuses when neither names an operator (rule 4)', () => {
    expect(() => resolveOperatorId(undefined, undefined)).toThrow(OperatorIdRequiredError);
  });
});
