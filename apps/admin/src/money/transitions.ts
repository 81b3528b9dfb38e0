/**
 * The money-mutating workflow routes of seed 004 "Money-write audit
 * guarantees (P1-4)": for each one, the row it acts on, the statuses it may
 * start from, the status it leaves, the audited action and the wallet_service
 * command that moves the money. Wallet paths (admin's contract with the
 * wallet double and wallet_service):
 *   POST /internal/wallet/deposits/{id}/{approve|decline|recycle|coin-approve}
 *   POST /internal/wallet/withdrawals/{id}/{review-agree|review-decline|pay-agree|pay-decline}
 *   POST /internal/wallet/agent-withdrawals/{id}/{agree|decline|pay}
 *   POST /internal/wallet/players/{player_id}/adjust
 * Each body carries the row id, subject id, amount, operator id, reason and
 * an idempotency key `admin:<table>:<id>:<command>`.
 */
export type MoneyTable = 'player_deposit' | 'player_withdraw' | 'agent_withdraw';

export interface Transition {
  table: MoneyTable;
  from: readonly string[];
  to: string;
  action: string;
  /** Wallet command path for a row id. */
  walletPath: (id: number) => string;
  walletCommand: string;
  subject: 'player_id' | 'agent_id';
  targetType: 'player' | 'agent';
  stampColumn: 'processed_at' | 'reviewed_at' | 'paid_at';
  /** The route template, the label of admin_audit_write_failed_total. */
  route: string;
  channel?: string;
}

const deposit = (
  command: string,
  from: string[],
  to: string,
  action: string,
  route: string,
  channel?: string,
): Transition => ({
  table: 'player_deposit',
  from,
  to,
  action,
  walletPath: (id) => `/internal/wallet/deposits/${id}/${command}`,
  walletCommand: command,
  subject: 'player_id',
  targetType: 'player',
  stampColumn: 'processed_at',
  route,
  channel,
});

const withdraw = (
  command: string,
  from: string[],
  to: string,
  action: string,
  stamp: 'reviewed_at' | 'paid_at',
): Transition => ({
  table: 'player_withdraw',
  from,
  to,
  action,
  walletPath: (id) => `/internal/wallet/withdrawals/${id}/${command}`,
  walletCommand: command,
  subject: 'player_id',
  targetType: 'player',
  stampColumn: stamp,
  route: `/api/v1/players/withdrawals/:id/${command}`,
});

const agentWithdraw = (command: string, from: string[], to: string, action: string): Transition => ({
  table: 'agent_withdraw',
  from,
  to,
  action,
  walletPath: (id) => `/internal/wallet/agent-withdrawals/${id}/${command}`,
  walletCommand: command,
  subject: 'agent_id',
  targetType: 'agent',
  stampColumn: 'processed_at',
  route: `/api/v1/agents/withdrawals/:id/${command}`,
});

export const TRANSITIONS = {
  depositAgree: deposit(
    'approve',
    ['pending'],
    'approved',
    'APPROVE_DEPOSIT',
    '/api/v1/players/deposits/:id/agree',
  ),
  depositDecline: deposit(
    'decline',
    ['pending'],
    'declined',
    'DECLINE_DEPOSIT',
    '/api/v1/players/deposits/:id/decline',
  ),
  depositRecycle: deposit(
    'recycle',
    ['approved'],
    'recycled',
    'RECYCLE_DEPOSIT',
    '/api/v1/players/deposits/:id/recycle',
  ),
  depositCoinAgree: deposit(
    'coin-approve',
    ['pending'],
    'approved',
    'APPROVE_COIN_DEPOSIT',
    '/api/v1/players/deposits/:id/coin-agree',
    'coin',
  ),
  depositShooterAgree: deposit(
    'approve',
    ['pending'],
    'approved',
    'APPROVE_DEPOSIT',
    '/api/v1/players/deposits/shooter-agree',
  ),
  withdrawReviewAgree: withdraw(
    'review-agree',
    ['pending'],
    'review_agreed',
    'REVIEW_AGREE_WITHDRAW',
    'reviewed_at',
  ),
  withdrawReviewDecline: withdraw(
    'review-decline',
    ['pending'],
    'review_declined',
    'REVIEW_DECLINE_WITHDRAW',
    'reviewed_at',
  ),
  withdrawPayAgree: withdraw('pay-agree', ['review_agreed'], 'paid', 'PAY_AGREE_WITHDRAW', 'paid_at'),
  withdrawPayDecline: withdraw(
    'pay-decline',
    ['review_agreed'],
    'pay_declined',
    'PAY_DECLINE_WITHDRAW',
    'paid_at',
  ),
  agentWithdrawAgree: agentWithdraw('agree', ['pending'], 'agreed', 'AGREE_AGENT_WITHDRAW'),
  agentWithdrawDecline: agentWithdraw('decline', ['pending'], 'declined', 'DECLINE_AGENT_WITHDRAW'),
  agentWithdrawPay: agentWithdraw('pay', ['agreed'], 'paid', 'PAY_AGENT_WITHDRAW'),
} as const satisfies Record<string, Transition>;

/** Change types the legacy agent balance write accepts (bounded metric label). */
export const AGENT_BALANCE_CHANGE_TYPES = ['manual_add', 'manual_sub', 'correction', 'commission'] as const;
export type AgentBalanceChangeType = (typeof AGENT_BALANCE_CHANGE_TYPES)[number];
