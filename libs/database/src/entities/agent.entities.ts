/**
 * Agent entities (seed 001, ADR-009): the agent row is global (no brand_id);
 * agent_brand is the only record of which brands an agent may serve;
 * agent_setting and agent_domain are per (agent, brand). phone_num, bank_num,
 * card_number and email hold ciphertext written by @app/crypto.
 */
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { BrandId } from '../brand-id';
import type { EnabledStatus } from './brand.entities';
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

@Entity('agent')
export class Agent {
  @BigSerialPrimary('guid')
  guid!: number;

  @TextColumn('account')
  account!: string;

  @TextColumn('password_hash')
  passwordHash!: string;

  @TextColumn('nickname', true)
  nickname!: string | null;

  /** Ciphertext (aesgcm:v1). */
  @TextColumn('phone_num', true)
  phoneNum!: string | null;

  @TextColumn('phone_hash', true)
  phoneHash!: string | null;

  /** Ciphertext (aesgcm:v1). */
  @TextColumn('email', true)
  email!: string | null;

  @TextColumn('email_hash', true)
  emailHash!: string | null;

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

  @BigIntColumn('parent_id', true)
  parentId!: number | null;

  @Column({ name: 'level', type: 'integer', default: 1 })
  level!: number;

  @TextColumn('status')
  status!: EnabledStatus;

  @MoneyColumn('balance')
  balance!: string;

  @Column({ name: 'commission_rate', type: 'numeric', precision: 7, scale: 4 })
  commissionRate!: string;

  @Column({ name: 'locked', type: 'boolean', default: false })
  locked!: boolean;

  @TimestampColumn('last_login_at')
  lastLoginAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('agent_brand')
export class AgentBrand {
  @PrimaryColumn({ name: 'agent_id', type: 'bigint', transformer: bigintAsNumber })
  agentId!: number;

  @PrimaryColumn({ name: 'brand_id', type: 'integer' })
  brandId!: BrandId;

  @TextColumn('status')
  status!: EnabledStatus;

  @TextColumn('updated_by', true)
  updatedBy!: string | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('agent_setting')
export class AgentSetting {
  @PrimaryColumn({ name: 'agent_id', type: 'bigint', transformer: bigintAsNumber })
  agentId!: number;

  @PrimaryColumn({ name: 'brand_id', type: 'integer' })
  brandId!: BrandId;

  @TextColumn('registration_mode')
  registrationMode!: string;

  @Column({ name: 'settings', type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('agent_domain')
export class AgentDomain {
  @BigSerialPrimary('guid')
  guid!: number;

  @BigIntColumn('agent_id')
  agentId!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @TextColumn('domain')
  domain!: string;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('level_domain')
export class LevelDomain {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @Column({ name: 'level', type: 'integer' })
  level!: number;

  @TextColumn('domain')
  domain!: string;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('agent_message')
export class AgentMessage {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('agent_id')
  agentId!: number;

  @TextColumn('title')
  title!: string;

  @TextColumn('content')
  content!: string;

  @Column({ name: 'is_read', type: 'boolean', default: false })
  isRead!: boolean;

  @TimestampColumn('read_at')
  readAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;
}
