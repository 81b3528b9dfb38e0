/**
 * require_operator_id (seed 004 "Operator identity (P1-3)", ADR-009 addendum):
 * the operator id on every admin write comes from the verified admin JWT.
 *   1. JWT `admin_id` + a disagreeing `X-Operator-Id` → 403 (status 61),
 *      admin_operator_id_mismatch_total{reason="header_vs_jwt"};
 *   2. no header → the JWT `admin_id` (the header is deprecated);
 *   3. JWT without `admin_id` + a header → 403 (status 61),
 *      admin_operator_id_mismatch_total{reason="jwt_missing_claim"};
 *   4. neither → 400 (status 62).
 * Operator identity is a security boundary, so there is no observe mode.
 */
import { OperatorIdMismatchError, OperatorIdRequiredError } from '@app/http';
import { Metrics } from '@app/observability';

export const OPERATOR_HEADER = 'x-operator-id';

function headerValue(raw: string | string[] | undefined): string | null {
  // Two copies of the header cannot both be the operator: the first one is compared and must match.
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function resolveOperatorId(
  jwtAdminId: number | undefined,
  header: string | string[] | undefined,
): number {
  const claimed = headerValue(header);
  const multiple =
    Array.isArray(header) && header.length > 1 && new Set(header.map((h) => h.trim())).size > 1;
  if (jwtAdminId !== undefined) {
    if (claimed !== null && (multiple || claimed !== String(jwtAdminId))) {
      Metrics.adminOperatorIdMismatch().inc({ reason: 'header_vs_jwt' });
      throw new OperatorIdMismatchError();
    }
    return jwtAdminId;
  }
  if (claimed !== null) {
    Metrics.adminOperatorIdMismatch().inc({ reason: 'jwt_missing_claim' });
    throw new OperatorIdMismatchError();
  }
  throw new OperatorIdRequiredError();
}
