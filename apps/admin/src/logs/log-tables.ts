/**
 * The operator log endpoints of seed 004 (T16-A logs.py): four tables that
 * exist (player/agent balance and login logs) and nine whose tables are not
 * provisioned yet. The seed names two of the nine (rebate_log, cashback_log);
 * the other seven are the reward, rolling and activity ledgers the legacy
 * back office listed next to them. All thirteen go through the one paginator,
 * with the same brand-required plumbing, so a table provisioned later is
 * brand-pinned from its first query.
 */
export type FilterType = 'integer' | 'text' | 'boolean';

export interface LogTableSpec {
  /** Path segment under /api/v1/logs/. */
  kind: string;
  table: string;
  provisioned: boolean;
  /** Selected columns (fixed list, never user input). */
  columns: readonly string[];
  /** Whitelisted filters: query parameter → column and type. */
  filters: Readonly<Record<string, { column: string; type: FilterType }>>;
}

const BALANCE_COLUMNS = [
  'change_type',
  'amount',
  'balance_before',
  'balance_after',
  'ref_id',
  'operator_id',
  'remark',
];
const LOGIN_COLUMNS = ['account', 'success', 'reason', 'ip', 'user_agent'];

const real = (
  kind: string,
  table: string,
  subject: 'player_id' | 'agent_id',
  login: boolean,
): LogTableSpec => ({
  kind,
  table,
  provisioned: true,
  columns: ['id', 'brand_id', subject, ...(login ? LOGIN_COLUMNS : BALANCE_COLUMNS), 'created_at'],
  filters: login
    ? {
        [subject]: { column: subject, type: 'integer' },
        account: { column: 'account', type: 'text' },
        success: { column: 'success', type: 'boolean' },
      }
    : {
        [subject]: { column: subject, type: 'integer' },
        change_type: { column: 'change_type', type: 'text' },
        ref_id: { column: 'ref_id', type: 'text' },
        operator_id: { column: 'operator_id', type: 'text' },
      },
});

const pending = (kind: string, table: string): LogTableSpec => ({
  kind,
  table,
  provisioned: false,
  columns: ['id', 'brand_id', 'player_id', 'amount', 'created_at'],
  filters: { player_id: { column: 'player_id', type: 'integer' } },
});

export const LOG_TABLES: readonly LogTableSpec[] = Object.freeze([
  real('player-balance', 'player_balance_log', 'player_id', false),
  real('agent-balance', 'agent_balance_log', 'agent_id', false),
  real('player-login', 'player_login_log', 'player_id', true),
  real('agent-login', 'agent_login_log', 'agent_id', true),
  pending('rebate', 'rebate_log'),
  pending('cashback', 'cashback_log'),
  pending('lossback', 'lossback_log'),
  pending('rolling', 'rolling_log'),
  pending('attendance', 'attendance_log'),
  pending('point', 'point_log'),
  pending('level-change', 'level_change_log'),
  pending('agent-commission', 'agent_commission_log'),
  pending('bet', 'bet_log'),
]);

const BY_KIND = new Map(LOG_TABLES.map((spec) => [spec.kind, spec]));

export function logTable(kind: string): LogTableSpec | undefined {
  return BY_KIND.get(kind);
}
