/**
 * Player-side entities (seed 000, ADR-009): a player belongs to one brand,
 * UNIQUE(brand_id, account); messages, notices and banners are brand-scoped
 * content (seed 004: one announcement no longer fans out to every brand).
 */
import { Column, Entity } from 'typeorm';
import type { BrandId } from '../brand-id';
import {
  BigIntColumn,
  BigSerialPrimary,
  BrandIdColumn,
  CreatedAt,
  TextColumn,
  TimestampColumn,
  UpdatedAt,
} from './columns';

export type PlayerStatus = 'enabled' | 'disabled' | 'locked';

@Entity('player')
export class Player {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

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

  @TextColumn('holder_name', true)
  holderName!: string | null;

  @BigIntColumn('agent_id', true)
  agentId!: number | null;

  @Column({ name: 'level', type: 'integer', default: 1 })
  level!: number;

  @TextColumn('status')
  status!: PlayerStatus;

  @TextColumn('register_ip', true)
  registerIp!: string | null;

  @TimestampColumn('last_login_at')
  lastLoginAt!: Date | null;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('player_message')
export class PlayerMessage {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @BigIntColumn('player_id')
  playerId!: number;

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

@Entity('player_notice')
export class PlayerNotice {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @TextColumn('kind')
  kind!: string;

  @TextColumn('title')
  title!: string;

  @TextColumn('content')
  content!: string;

  @Column({ name: 'is_show', type: 'boolean', default: true })
  isShow!: boolean;

  @Column({ name: 'sort', type: 'integer', default: 0 })
  sort!: number;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}

@Entity('banner')
export class Banner {
  @BigSerialPrimary()
  id!: number;

  @BrandIdColumn()
  brandId!: BrandId;

  @TextColumn('title')
  title!: string;

  @TextColumn('image_url')
  imageUrl!: string;

  @TextColumn('link_url', true)
  linkUrl!: string | null;

  @TextColumn('position')
  position!: string;

  @Column({ name: 'is_show', type: 'boolean', default: true })
  isShow!: boolean;

  @Column({ name: 'sort', type: 'integer', default: 0 })
  sort!: number;

  @CreatedAt()
  createdAt!: Date;

  @UpdatedAt()
  updatedAt!: Date;
}
