/**
 * The agent portal's statistics, computed with SQL over the request brand's
 * own tables (seed 001, issue: "statistics come from the player, deposit,
 * withdrawal and coupon tables of the request brand"): every brand-scoped
 * table is pinned by `brand_id = $1` first (tx.sql binds the brand), players
 * are the ones whose `agent_id` is in the given agent set, deposits count
 * when approved and player withdrawals when paid, each on the day it was
 * processed (UTC). The agent tree itself is global (ADR-009) and walked with
 * a depth-bounded recursive CTE.
 */
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { BrandTx } from '@app/database';
import type { DayRange } from '../shared/paging';
import type { DailyRow, SubStatisticRow } from './dto';

const MAX_TREE_DEPTH = 16;

export interface Bounds {
  /** Inclusive lower bound, ISO timestamp (UTC midnight of the first day). */
  from: string;
  /** Exclusive upper bound, ISO timestamp (UTC midnight after the last day). */
  to: string;
}

export function boundsOf(range: DayRange): Bounds {
  const to = new Date(`${range.end}T00:00:00.000Z`).getTime() + 86_400_000;
  return { from: `${range.start}T00:00:00.000Z`, to: new Date(to).toISOString() };
}

interface SummaryRow {
  player_count: string;
  new_players_today: string;
  deposit_count: string;
  deposit_amount: string;
  withdraw_count: string;
  withdraw_amount: string;
  today_deposit_amount: string;
  today_withdraw_amount: string;
  coupon_amount: string;
  pending_withdraw_amount: string;
}

export interface SummaryFigures {
  playerCount: number;
  newPlayersToday: number;
  depositCount: number;
  depositAmount: string;
  withdrawCount: number;
  withdrawAmount: string;
  todayDepositAmount: string;
  todayWithdrawAmount: string;
  couponAmount: string;
  pendingWithdrawAmount: string;
}

@Injectable()
export class StatisticsRepository {
  /** All agents in the subtrees rooted at `roots` (roots included); the tree is global. */
  async subtree(manager: EntityManager, roots: number[]): Promise<number[]> {
    if (roots.length === 0) return [];
    const rows: Array<{ guid: string }> = await manager.query(
      `WITH RECURSIVE tree AS (
         SELECT guid, 1 AS depth FROM agent WHERE guid = ANY($1::bigint[])
         UNION
         SELECT a.guid, t.depth + 1 FROM agent a JOIN tree t ON a.parent_id = t.guid WHERE t.depth < ${MAX_TREE_DEPTH}
       )
       SELECT DISTINCT guid FROM tree`,
      [roots],
    );
    return rows.map((row) => Number(row.guid));
  }

  async summary(tx: BrandTx, agentId: number, todayFrom: string): Promise<SummaryFigures> {
    const { rows } = await tx.sql<SummaryRow>(
      `WITH mine AS (SELECT id, created_at FROM player WHERE brand_id = $1 AND agent_id = $2),
            dep AS (SELECT amount, coalesce(processed_at, created_at) AS at FROM player_deposit
                     WHERE brand_id = $1 AND status = 'approved' AND player_id IN (SELECT id FROM mine)),
            wd AS (SELECT amount, coalesce(paid_at, created_at) AS at FROM player_withdraw
                    WHERE brand_id = $1 AND status = 'paid' AND player_id IN (SELECT id FROM mine))
       SELECT (SELECT count(*) FROM mine) AS player_count,
              (SELECT count(*) FROM mine WHERE created_at >= $3::timestamptz) AS new_players_today,
              (SELECT count(*) FROM dep) AS deposit_count,
              (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM dep) AS deposit_amount,
              (SELECT count(*) FROM wd) AS withdraw_count,
              (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM wd) AS withdraw_amount,
              (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM dep WHERE at >= $3::timestamptz) AS today_deposit_amount,
              (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM wd WHERE at >= $3::timestamptz) AS today_withdraw_amount,
              (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM coupon
                WHERE brand_id = $1 AND agent_id = $2 AND status IN ('granted', 'used')) AS coupon_amount,
              (SELECT coalesce(sum(amount), 0)::numeric(20, 2) FROM agent_withdraw
                WHERE brand_id = $1 AND agent_id = $2 AND status = 'pending') AS pending_withdraw_amount`,
      [agentId, todayFrom],
    );
    const row = rows[0];
    return {
      playerCount: Number(row.player_count),
      newPlayersToday: Number(row.new_players_today),
      depositCount: Number(row.deposit_count),
      depositAmount: String(row.deposit_amount),
      withdrawCount: Number(row.withdraw_count),
      withdrawAmount: String(row.withdraw_amount),
      todayDepositAmount: String(row.today_deposit_amount),
      todayWithdrawAmount: String(row.today_withdraw_amount),
      couponAmount: String(row.coupon_amount),
      pendingWithdrawAmount: String(row.pending_withdraw_amount),
    };
  }

  /** Sub-agents of `parentId` that have an agent_brand row in the brand. */
  async subAgentCount(tx: BrandTx, parentId: number): Promise<number> {
    const { rows } = await tx.sql<{ n: string }>(
      `SELECT count(*) AS n FROM agent_brand ab JOIN agent a ON a.guid = ab.agent_id WHERE ab.brand_id = $1 AND a.parent_id = $2`,
      [parentId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** One row per day of the range for the players of `agentIds`. */
  async daily(tx: BrandTx, agentIds: number[], range: DayRange): Promise<DailyRow[]> {
    const bounds = boundsOf(range);
    const { rows } = await tx.sql<Record<string, string>>(
      `WITH days AS (SELECT g::date AS day FROM generate_series($3::date, $4::date, interval '1 day') AS g),
            mine AS (SELECT id, created_at FROM player WHERE brand_id = $1 AND agent_id = ANY($2::bigint[])),
            reg AS (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM mine
                     WHERE created_at >= $5::timestamptz AND created_at < $6::timestamptz GROUP BY 1),
            dep AS (SELECT (coalesce(processed_at, created_at) AT TIME ZONE 'UTC')::date AS day, count(*) AS n, sum(amount) AS amount
                      FROM player_deposit
                     WHERE brand_id = $1 AND status = 'approved' AND player_id IN (SELECT id FROM mine)
                       AND coalesce(processed_at, created_at) >= $5::timestamptz AND coalesce(processed_at, created_at) < $6::timestamptz
                     GROUP BY 1),
            wd AS (SELECT (coalesce(paid_at, created_at) AT TIME ZONE 'UTC')::date AS day, count(*) AS n, sum(amount) AS amount
                     FROM player_withdraw
                    WHERE brand_id = $1 AND status = 'paid' AND player_id IN (SELECT id FROM mine)
                      AND coalesce(paid_at, created_at) >= $5::timestamptz AND coalesce(paid_at, created_at) < $6::timestamptz
                    GROUP BY 1)
       SELECT to_char(days.day, 'YYYY-MM-DD') AS day,
              coalesce(reg.n, 0) AS registrations,
              coalesce(dep.n, 0) AS deposit_count,
              coalesce(dep.amount, 0)::numeric(20, 2) AS deposit_amount,
              coalesce(wd.n, 0) AS withdraw_count,
              coalesce(wd.amount, 0)::numeric(20, 2) AS withdraw_amount,
              (coalesce(dep.amount, 0) - coalesce(wd.amount, 0))::numeric(20, 2) AS net_amount
         FROM days
         LEFT JOIN reg ON reg.day = days.day
         LEFT JOIN dep ON dep.day = days.day
         LEFT JOIN wd ON wd.day = days.day
        ORDER BY days.day`,
      [agentIds, range.start, range.end, bounds.from, bounds.to],
    );
    return rows.map((row) => ({
      day: row.day,
      registrations: Number(row.registrations),
      deposit_count: Number(row.deposit_count),
      deposit_amount: String(row.deposit_amount),
      withdraw_count: Number(row.withdraw_count),
      withdraw_amount: String(row.withdraw_amount),
      net_amount: String(row.net_amount),
    }));
  }

  /** Per direct sub-agent in the brand: figures over the sub-agent's whole subtree. */
  async subAgents(tx: BrandTx, parentId: number, range: DayRange): Promise<SubStatisticRow[]> {
    const bounds = boundsOf(range);
    const { rows } = await tx.sql<Record<string, string | null>>(
      `WITH RECURSIVE tree AS (
              SELECT guid AS root, guid, 1 AS depth FROM agent WHERE parent_id = $2
              UNION
              SELECT t.root, a.guid, t.depth + 1 FROM agent a JOIN tree t ON a.parent_id = t.guid WHERE t.depth < ${MAX_TREE_DEPTH}
            ),
            subs AS (SELECT a.guid, a.account, a.nickname, ab.status FROM agent a JOIN agent_brand ab ON ab.agent_id = a.guid
                      WHERE ab.brand_id = $1 AND a.parent_id = $2),
            players AS (SELECT p.id, t.root, p.created_at FROM player p JOIN tree t ON t.guid = p.agent_id WHERE p.brand_id = $1),
            tot AS (SELECT root, count(*) AS n FROM players GROUP BY root),
            reg AS (SELECT root, count(*) AS n FROM players WHERE created_at >= $3::timestamptz AND created_at < $4::timestamptz GROUP BY root),
            dep AS (SELECT pl.root, count(*) AS n, sum(d.amount) AS amount FROM player_deposit d JOIN players pl ON pl.id = d.player_id
                     WHERE d.brand_id = $1 AND d.status = 'approved'
                       AND coalesce(d.processed_at, d.created_at) >= $3::timestamptz AND coalesce(d.processed_at, d.created_at) < $4::timestamptz
                     GROUP BY pl.root),
            wd AS (SELECT pl.root, count(*) AS n, sum(w.amount) AS amount FROM player_withdraw w JOIN players pl ON pl.id = w.player_id
                    WHERE w.brand_id = $1 AND w.status = 'paid'
                      AND coalesce(w.paid_at, w.created_at) >= $3::timestamptz AND coalesce(w.paid_at, w.created_at) < $4::timestamptz
                    GROUP BY pl.root)
       SELECT s.guid AS agent_id, s.account, s.nickname, s.status,
              coalesce(tot.n, 0) AS player_count,
              coalesce(reg.n, 0) AS registrations,
              coalesce(dep.n, 0) AS deposit_count,
              coalesce(dep.amount, 0)::numeric(20, 2) AS deposit_amount,
              coalesce(wd.n, 0) AS withdraw_count,
              coalesce(wd.amount, 0)::numeric(20, 2) AS withdraw_amount,
              (coalesce(dep.amount, 0) - coalesce(wd.amount, 0))::numeric(20, 2) AS net_amount
         FROM subs s
         LEFT JOIN tot ON tot.root = s.guid
         LEFT JOIN reg ON reg.root = s.guid
         LEFT JOIN dep ON dep.root = s.guid
         LEFT JOIN wd ON wd.root = s.guid
        ORDER BY s.guid
        LIMIT 500`,
      [parentId, bounds.from, bounds.to],
    );
    return rows.map((row) => ({
      agent_id: Number(row.agent_id),
      account: String(row.account),
      nickname: row.nickname,
      status: String(row.status),
      player_count: Number(row.player_count),
      registrations: Number(row.registrations),
      deposit_count: Number(row.deposit_count),
      deposit_amount: String(row.deposit_amount),
      withdraw_count: Number(row.withdraw_count),
      withdraw_amount: String(row.withdraw_amount),
      net_amount: String(row.net_amount),
    }));
  }
}
