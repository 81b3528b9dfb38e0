/**
 * Brand-scoped money and log entities that admin and agent routes read under
 * one resolved brand (seed 004). Workflow statuses are plain text, e.g.
 * deposits pending/approved/declined/recycled, player withdrawals
 * pending/review_agreed/review_declined/paid/pay_declined, agent withdrawals
 * pending/agreed/declined/paid, coupons granted/used/recycled/expired.
 */
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { BrandId } from '../brand-id';
import {
  BigIntColumn,
  BigSerialPrimary,
  BrandIdColumn,
  CreatedAt,
  MoneyColumn,
  TextColumn,
  TimestampColumn,
  UpdatedAt,
  bigintAsNumber,
} from './columns';

@Entity('player_deposit')
export class PlayerDeposit {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('player_id')
  playerId!: number;

  @MoneyColumn('amount')
  amount!: string;

  @TextColumn('channel')
  channel!: string;

  @TextColumn('status')
  status!: string;

  @TextColumn('depositor_name', true)
  depositorName!: string | null;

  @TextColumn('transaction_id', true)
  transactionId!: string | null;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @TextColumn('remark', true)
  remark!: string | null;

  @TimestampColumn('processed_at')
  processedAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('player_withdraw')
export class PlayerWithdraw {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('player_id')
  playerId!: number;

  @MoneyColumn('amount')
  amount!: string;

  @TextColumn('status')
  status!: string;

  @TextColumn('bank_name', true)
  bankName!: string | null;

  /** Ciphertext (aesgcm:v1). */
  @TextColumn('bank_num', true)
  bankNum!: string | null;

  @TextColumn('holder_name', true)
  holderName!: string | null;

  @TextColumn('transaction_id', true)
  transactionId!: string | null;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @TextColumn('remark', true)
  remark!: string | null;

  @TimestampColumn('reviewed_at')
  reviewedAt!: Date | null;

  @TimestampColumn('paid_at')
  paidAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('agent_withdraw')
export class AgentWithdraw {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('agent_id')
  agentId!: number;

  @MoneyColumn('amount')
  amount!: string;

  @TextColumn('status')
  status!: string;

  @TextColumn('bank_name', true)
  bankName!: string | null;

  /** Ciphertext (aesgcm:v1). */
  @TextColumn('bank_num', true)
  bankNum!: string | null;

  /** Ciphertext (aesgcm:v1). */
  @TextColumn('card_number', true)
  cardNumber!: string | null;

  @TextColumn('holder_name', true)
  holderName!: string | null;

  @TextColumn('transaction_id', true)
  transactionId!: string | null;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @TextColumn('remark', true)
  remark!: string | null;

  @TimestampColumn('processed_at')
  processedAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('coupon')
export class Coupon {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('agent_id', true)
  agentId!: number | null;

  @BigIntColumn('player_id', true)
  playerId!: number | null;

  @MoneyColumn('amount')
  amount!: string;

  @TextColumn('status')
  status!: string;

  @TextColumn('remark', true)
  remark!: string | null;

  @TimestampColumn('expires_at')
  expiresAt!: Date | null;

  @TimestampColumn('used_at')
  usedAt!: Date | null;

  @TimestampColumn('recycled_at')
  recycledAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('coupon_log')
export class CouponLog {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('coupon_id', true)
  couponId!: number | null;

  @BigIntColumn('agent_id', true)
  agentId!: number | null;

  @BigIntColumn('player_id', true)
  playerId!: number | null;

  @TextColumn('action')
  action!: string;

  @MoneyColumn('amount')
  amount!: string;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @TextColumn('remark', true)
  remark!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

@Entity('coupon_recycle_log')
export class CouponRecycleLog {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('coupon_id', true)
  couponId!: number | null;

  @BigIntColumn('agent_id', true)
  agentId!: number | null;

  @BigIntColumn('player_id', true)
  playerId!: number | null;

  @MoneyColumn('amount')
  amount!: string;

  @TextColumn('reason', true)
  reason!: string | null;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

@Entity('player_balance_log')
export class PlayerBalanceLog {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('player_id')
  playerId!: number;

  @TextColumn('change_type')
  changeType!: string;

  @MoneyColumn('amount')
  amount!: string;

  @MoneyColumn('balance_before', true)
  balanceBefore!: string | null;

  @MoneyColumn('balance_after', true)
  balanceAfter!: string | null;

  @TextColumn('ref_id', true)
  refId!: string | null;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @TextColumn('remark', true)
  remark!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

@Entity('agent_balance_log')
export class AgentBalanceLog {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('agent_id')
  agentId!: number;

  @TextColumn('change_type')
  changeType!: string;

  @MoneyColumn('amount')
  amount!: string;

  @MoneyColumn('balance_before', true)
  balanceBefore!: string | null;

  @MoneyColumn('balance_after', true)
  balanceAfter!: string | null;

  @TextColumn('ref_id', true)
  refId!: string | null;

  @TextColumn('operator_id', true)
  operatorId!: string | null;

  @TextColumn('remark', true)
  remark!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

@Entity('player_login_log')
export class PlayerLoginLog {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('player_id', true)
  playerId!: number | null;

  @TextColumn('account')
  account!: string;

  @Column({ name: 'success', type: 'boolean' })
  success!: boolean;

  @TextColumn('reason', true)
  reason!: string | null;

  @TextColumn('ip', true)
  ip!: string | null;

  @TextColumn('user_agent', true)
  userAgent!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

@Entity('agent_login_log')
export class AgentLoginLog {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('agent_id', true)
  agentId!: number | null;

  @TextColumn('account')
  account!: string;

  @Column({ name: 'success', type: 'boolean' })
  success!: boolean;

  @TextColumn('reason', true)
  reason!: string | null;

  @TextColumn('ip', true)
  ip!: string | null;

  @TextColumn('user_agent', true)
  userAgent!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

/** Brand rollups; agentId 0 is the brand-wide total. */
@Entity('daily_statistics')
export class DailyStatistics {
  @PrimaryColumn({ name: 'brand_id', type: 'integer' })
  brandId!: BrandId;

  @PrimaryColumn({ name: 'stat_date', type: 'date' })
  statDate!: string;

  @PrimaryColumn({ name: 'agent_id', type: 'bigint', transformer: bigintAsNumber })
  agentId!: number;

  @Column({ name: 'registrations', type: 'integer', default: 0 })
  registrations!: number;

  @Column({ name: 'login_players', type: 'integer', default: 0 })
  loginPlayers!: number;

  @Column({ name: 'deposit_count', type: 'integer', default: 0 })
  depositCount!: number;

  @MoneyColumn('deposit_amount')
  depositAmount!: string;

  @Column({ name: 'withdraw_count', type: 'integer', default: 0 })
  withdrawCount!: number;

  @MoneyColumn('withdraw_amount')
  withdrawAmount!: string;

  @Column({ name: 'agent_withdraw_count', type: 'integer', default: 0 })
  agentWithdrawCount!: number;

  @MoneyColumn('agent_withdraw_amount')
  agentWithdrawAmount!: string;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}
