/**
 * Downstream players (seed 001 `/agent/player/*`, ADR-009 "player accounts
 * owned by an agent are still per-brand"): only players of the request brand
 * whose agent_id is the authenticated agent are visible; a player of another
 * agent or of another brand is "not found". Phones are masked.
 */
import { Injectable } from '@nestjs/common';
import { PiiCipher, mask } from '@app/crypto';
import { type BrandId, type BrandTx, Database } from '@app/database';
import { NotFoundError } from '@app/http';
import { type Page, pageWindow } from '../shared/paging';
import type {
  PlayerDepositRow,
  PlayerListQuery,
  PlayerMoneyQuery,
  PlayerRow,
  PlayerWithdrawRow,
} from './dto';

interface PlayerSqlRow {
  id: string;
  account: string;
  nickname: string | null;
  status: string;
  level: number;
  phone_num: string | null;
  deposit_amount: string;
  withdraw_amount: string;
  created_at: Date;
  last_login_at: Date | null;
}

const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function likePrefix(value: string | undefined): string | null {
  return value === undefined ? null : `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const PLAYER_COLUMNS = `p.id, p.account, p.nickname, p.status, p.level, p.phone_num, p.created_at, p.last_login_at,
  (SELECT coalesce(sum(d.amount), 0)::numeric(20, 2) FROM player_deposit d
    WHERE d.brand_id = $1 AND d.player_id = p.id AND d.status = 'approved') AS deposit_amount,
  (SELECT coalesce(sum(w.amount), 0)::numeric(20, 2) FROM player_withdraw w
    WHERE w.brand_id = $1 AND w.player_id = p.id AND w.status = 'paid') AS withdraw_amount`;

@Injectable()
export class PlayerService {
  constructor(
    private readonly db: Database,
    private readonly pii: PiiCipher,
  ) {}

  list(agentId: number, brandId: BrandId, query: PlayerListQuery): Promise<Page<PlayerRow>> {
    const { page, size, offset } = pageWindow(query);
    const account = likePrefix(query.account);
    const status = query.status ?? null;
    return this.db.brandTransaction(brandId, async (tx) => {
      const count = await tx.sql<{ n: string }>(
        `SELECT count(*) AS n FROM player p
          WHERE p.brand_id = $1 AND p.agent_id = $2 AND ($3::text IS NULL OR p.account LIKE $3) AND ($4::text IS NULL OR p.status = $4)`,
        [agentId, account, status],
      );
      const { rows } = await tx.sql<PlayerSqlRow>(
        `SELECT ${PLAYER_COLUMNS} FROM player p
          WHERE p.brand_id = $1 AND p.agent_id = $2 AND ($3::text IS NULL OR p.account LIKE $3) AND ($4::text IS NULL OR p.status = $4)
          ORDER BY p.id DESC LIMIT $5 OFFSET $6`,
        [agentId, account, status, size, offset],
      );
      return {
        items: rows.map((row) => this.toPlayer(row)),
        total: Number(count.rows[0]?.n ?? 0),
        page,
        size,
      };
    });
  }

  async detail(agentId: number, brandId: BrandId, playerId: number): Promise<PlayerRow> {
    const row = await this.db.brandTransaction(brandId, (tx) => this.findOwn(tx, agentId, playerId));
    if (!row) throw new NotFoundError('player not found');
    return this.toPlayer(row);
  }

  deposits(agentId: number, brandId: BrandId, query: PlayerMoneyQuery): Promise<Page<PlayerDepositRow>> {
    const { page, size, offset } = pageWindow(query);
    const playerId = query.player_id ?? null;
    return this.db.brandTransaction(brandId, async (tx) => {
      const count = await tx.sql<{ n: string }>(
        `SELECT count(*) AS n FROM player_deposit d JOIN player p ON p.brand_id = d.brand_id AND p.id = d.player_id
          WHERE d.brand_id = $1 AND p.agent_id = $2 AND ($3::bigint IS NULL OR d.player_id = $3)`,
        [agentId, playerId],
      );
      const { rows } = await tx.sql<Record<string, unknown>>(
        `SELECT d.id, d.player_id, p.account, d.amount, d.channel, d.status, d.created_at, d.processed_at
           FROM player_deposit d JOIN player p ON p.brand_id = d.brand_id AND p.id = d.player_id
          WHERE d.brand_id = $1 AND p.agent_id = $2 AND ($3::bigint IS NULL OR d.player_id = $3)
          ORDER BY d.id DESC LIMIT $4 OFFSET $5`,
        [agentId, playerId, size, offset],
      );
      const items = rows.map((row) => ({
        id: Number(row.id),
        player_id: Number(row.player_id),
        account: String(row.account),
        amount: String(row.amount),
        channel: String(row.channel),
        status: String(row.status),
        created_at: iso(row.created_at as Date) as string,
        processed_at: iso(row.processed_at as Date | null),
      }));
      return { items, total: Number(count.rows[0]?.n ?? 0), page, size };
    });
  }

  withdrawals(agentId: number, brandId: BrandId, query: PlayerMoneyQuery): Promise<Page<PlayerWithdrawRow>> {
    const { page, size, offset } = pageWindow(query);
    const playerId = query.player_id ?? null;
    return this.db.brandTransaction(brandId, async (tx) => {
      const count = await tx.sql<{ n: string }>(
        `SELECT count(*) AS n FROM player_withdraw w JOIN player p ON p.brand_id = w.brand_id AND p.id = w.player_id
          WHERE w.brand_id = $1 AND p.agent_id = $2 AND ($3::bigint IS NULL OR w.player_id = $3)`,
        [agentId, playerId],
      );
      const { rows } = await tx.sql<Record<string, unknown>>(
        `SELECT w.id, w.player_id, p.account, w.amount, w.status, w.created_at, w.paid_at
           FROM player_withdraw w JOIN player p ON p.brand_id = w.brand_id AND p.id = w.player_id
          WHERE w.brand_id = $1 AND p.agent_id = $2 AND ($3::bigint IS NULL OR w.player_id = $3)
          ORDER BY w.id DESC LIMIT $4 OFFSET $5`,
        [agentId, playerId, size, offset],
      );
      const items = rows.map((row) => ({
        id: Number(row.id),
        player_id: Number(row.player_id),
        account: String(row.account),
        amount: String(row.amount),
        status: String(row.status),
        created_at: iso(row.created_at as Date) as string,
        paid_at: iso(row.paid_at as Date | null),
      }));
      return { items, total: Number(count.rows[0]?.n ?? 0), page, size };
    });
  }

  /** One of the agent's players in the brand, or null. */
  async findOwn(tx: BrandTx, agentId: number, playerId: number): Promise<PlayerSqlRow | null> {
    const { rows } = await tx.sql<PlayerSqlRow>(
      `SELECT ${PLAYER_COLUMNS} FROM player p WHERE p.brand_id = $1 AND p.agent_id = $2 AND p.id = $3`,
      [agentId, playerId],
    );
    return rows[0] ?? null;
  }

  private toPlayer(row: PlayerSqlRow): PlayerRow {
    return {
      player_id: Number(row.id),
      account: row.account,
      nickname: row.nickname,
      status: row.status,
      level: Number(row.level),
      phone: mask(this.pii.decrypt(row.phone_num)),
      deposit_amount: String(row.deposit_amount),
      withdraw_amount: String(row.withdraw_amount),
      created_at: iso(row.created_at) as string,
      last_login_at: iso(row.last_login_at),
    };
  }
}
