/**
 * Brand catalog entities (ADR-009, seed 004): brand, brand_config with its
 * append-only audit, the global provider list and the per-brand provider
 * allow list, and admin operators (CONTRACTS §10).
 */
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { BrandId } from '../brand-id';
import {
  BigSerialPrimary,
  BrandIdColumn,
  CreatedAt,
  TextColumn,
  TimestampColumn,
  UpdatedAt,
} from './columns';

export type EnabledStatus = 'enabled' | 'disabled';

@Entity('brand')
export class Brand {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id!: number;

  @TextColumn('brand_code')
  brandCode!: string;

  @TextColumn('name')
  name!: string;

  @TextColumn('default_currency')
  defaultCurrency!: string;

  @TextColumn('status')
  status!: EnabledStatus;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('brand_config')
export class BrandConfig {
  @PrimaryColumn({ name: 'brand_id', type: 'integer' })
  brandId!: BrandId;

  @PrimaryColumn({ name: 'key', type: 'text' })
  key!: string;

  @Column({ name: 'value', type: 'jsonb' })
  value!: unknown;

  @TextColumn('updated_by', true)
  updatedBy!: string | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('brand_config_audit')
export class BrandConfigAudit {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @TextColumn('key')
  key!: string;

  @Column({ name: 'prior_value', type: 'jsonb', nullable: true })
  priorValue!: unknown;

  @Column({ name: 'new_value', type: 'jsonb', nullable: true })
  newValue!: unknown;

  @TextColumn('operator_id')
  operatorId!: string;

  @TextColumn('request_id', true)
  requestId!: string | null;

  @CreatedAt()
  createdAt!: Date;
}

/** Global: provider credentials and the provider list are not per brand (ADR-009). */
@Entity('provider')
export class Provider {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id!: number;

  @TextColumn('code')
  code!: string;

  @TextColumn('name')
  name!: string;

  @Column({ name: 'is_show', type: 'boolean', default: true })
  isShow!: boolean;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('brand_provider_config')
export class BrandProviderConfig {
  @PrimaryColumn({ name: 'brand_id', type: 'integer' })
  brandId!: BrandId;

  @PrimaryColumn({ name: 'provider_id', type: 'integer' })
  providerId!: number;

  @Column({ name: 'enabled', type: 'boolean', default: true })
  enabled!: boolean;

  @TextColumn('updated_by', true)
  updatedBy!: string | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('admin_operator')
export class AdminOperator {
  @PrimaryGeneratedColumn({ name: 'id', type: 'integer' })
  id!: number;

  @TextColumn('account')
  account!: string;

  @TextColumn('password_hash')
  passwordHash!: string;

  @TextColumn('status')
  status!: EnabledStatus;

  @TimestampColumn('last_login_at')
  lastLoginAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}
