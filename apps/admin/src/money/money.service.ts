/**
 * Money-mutating admin routes (seed 004 "Money-write audit guarantees
 * (P1-4)"; ADR-009: wallet_service stays the only money writer, admin
 * orchestrates). Order of every route:
 *   1. read and lock the affected row under the request brand (404 outside
 *      it; the lock is held until step 3 commits) and
 *      check the workflow status (status 1 when the move is not allowed);
 *   2. call wallet_service (per-caller token + signed X-Brand-Id); on failure
 *      stop: no state change, no audit row (the action did not happen);
 *   3. record the new workflow status locally;
 *   4. write admin_audit (operator from the JWT, brand from the row, only
 *      status/amount/transaction_id deltas, reason, request id). If that
 *      insert fails the route still answers with the wallet result, logs at
 *      ERROR and counts admin_audit_write_failed_total{route}.
 * Account edits (passwords, phone, lock, commission) follow the same audit
 * rule with payloads that never hold the secret: {"changed": true} for
 * passwords, sha256-first-8 hashes for phones. Agent adjust-balance is the
 * legacy direct write to agent.balance, counted in
 * agent_balance_legacy_write_total{change_type} until it moves to wallet.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AgentSessions, type PasswordHasher } from '@app/auth';
import { contactHash, contactHashShort, type PiiCipher } from '@app/crypto';
import { BrandNotAllowedError, BusinessRuleError, NotFoundError } from '@app/http';
import { Metrics } from '@app/observability';
import { REDIS } from '@app/redis';
import { asBrandId, type BrandId, type BrandTx, Database } from '@app/database';
import { ADMIN_PASSWORD_HASHER } from '../auth/auth.service';
import { AdminAuditService } from '../common/admin-audit.service';
import { normalizePhone, PII_CIPHER } from '../common/pii';
import { requestId } from '../common/request-context';
import { returningRows } from '../common/sql';
import { WalletClient } from '../common/wallet.client';
import type { AgentBalanceChangeType, Transition } from './transitions';

interface MoneyRow {
  id: number;
  brand_id: number;
  subject_id: number;
  amount: string;
  status: string;
  transaction_id: string | null;
  channel?: string;
}

/** A row the wallet has moved: the row as locked, the wallet's answer and its transaction id. */
interface Moved {
  row: MoneyRow;
  data: unknown;
  transactionId: string | null;
}

export interface TransitionResult {
  id: number;
  brand_id: number;
  status: string;
  transaction_id: string | null;
  /** The wallet_service response data, relayed as is. */
  wallet: unknown;
  audited: boolean;
}

function walletTransactionId(data: unknown): string | null {
  const tx = (data as { transaction_id?: unknown } | null)?.transaction_id;
  return typeof tx === 'string' || typeof tx === 'number' ? String(tx) : null;
}

@Injectable()
export class MoneyService {
  private readonly logger = new Logger('AdminMoney');

  constructor(
    private readonly db: Database,
    private readonly wallet: WalletClient,
    private readonly audit: AdminAuditService,
    @Inject(ADMIN_PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(PII_CIPHER) private readonly pii: PiiCipher,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly agentSessions: AgentSessions,
  ) {}

  /**
   * The affected row, locked (`FOR UPDATE`) until `tx` ends: the transition holds it across the
   * wallet call, so a concurrent move of the same row (a second operator, admin_worker's deposit
   * expiry) waits and then sees the new status instead of overwriting it.
   */
  private async lockRow(tx: BrandTx, t: Transition, id: number): Promise<MoneyRow> {
    const extra = t.table === 'player_deposit' ? ', channel' : '';
    const rows = await tx.sql<MoneyRow>(
      `SELECT id, brand_id, ${t.subject} AS subject_id, amount, status, transaction_id${extra} FROM ${t.table} WHERE brand_id = $1 AND id = $2 FOR UPDATE`,
      [id],
    );
    const row = rows.rows[0];
    if (!row) throw new NotFoundError(`${t.table.replace('_', ' ')} not found`);
    return { ...row, id: Number(row.id), subject_id: Number(row.subject_id) };
  }

  /**
   * Steps 1-3 in one transaction that holds the row lock, so the status the wallet call was decided
   * on is the status the update replaces. A failure once the wallet has answered does not undo the
   * money move: it is logged and the move is still reported (and audited by the caller).
   */
  private async moveLocked(
    operatorId: number,
    brandId: BrandId,
    t: Transition,
    id: number,
    reason: string | null,
  ): Promise<Moved> {
    let moved: Moved | undefined;
    try {
      return await this.db.brandTransaction(brandId, async (tx) => {
        const row = await this.lockRow(tx, t, id);
        if (!t.from.includes(row.status))
          throw new BusinessRuleError(`cannot move from ${row.status} to ${t.to}`);
        if (t.channel !== undefined && row.channel !== t.channel)
          throw new BusinessRuleError(`not a ${t.channel} deposit`);
        const data = await this.wallet.command({
          // The row's brand, equal to the request brand, which pinned the read.
          brandId: asBrandId(row.brand_id),
          path: t.walletPath(id),
          body: {
            id,
            [t.subject]: row.subject_id,
            amount: row.amount,
            operator_id: operatorId,
            reason,
            idempotency_key: `admin:${t.table}:${id}:${t.walletCommand}`,
          },
        });
        moved = { row, data, transactionId: walletTransactionId(data) ?? row.transaction_id };
        await tx.sql(
          `UPDATE ${t.table} SET status = $2, transaction_id = $3, operator_id = $4, remark = COALESCE($5, remark), ${t.stampColumn} = now(), updated_at = now()
           WHERE brand_id = $1 AND id = $6`,
          [t.to, moved.transactionId, String(operatorId), reason, id],
        );
        return moved;
      });
    } catch (err) {
      // Before the wallet answered nothing happened: the error is the answer.
      if (!moved) throw err;
      // The money moved already; the workflow row is reconciled from the wallet and the audit row.
      this.logger.error(
        {
          table: t.table,
          id,
          brand_id: moved.row.brand_id,
          err: err instanceof Error ? err.message : String(err),
        },
        'workflow status update failed after wallet success',
      );
      return moved;
    }
  }

  /** One workflow move on a deposit or withdrawal row (steps 1-4 above). */
  async transition(
    operatorId: number,
    brandId: BrandId,
    t: Transition,
    id: number,
    reason: string | null,
  ): Promise<TransitionResult> {
    const { row, data, transactionId } = await this.moveLocked(operatorId, brandId, t, id, reason);
    const rowBrand = asBrandId(row.brand_id);

    const audited = await this.audit.money(
      {
        brandId: rowBrand,
        operatorId,
        action: t.action,
        targetType: t.targetType,
        targetId: row.subject_id,
        before: { status: row.status, amount: row.amount, transaction_id: row.transaction_id },
        after: { status: t.to, amount: row.amount, transaction_id: transactionId },
        reason,
        payload: { [t.table]: id },
      },
      t.route,
    );
    return { id, brand_id: rowBrand, status: t.to, transaction_id: transactionId, wallet: data, audited };
  }

  private async loadPlayer(
    brandId: BrandId,
    playerId: number,
  ): Promise<{ id: number; account: string; phone_hash: string | null; phone_num: string | null }> {
    const player = await this.db.brandTransaction(brandId, async (tx) => {
      const rows = await tx.sql<{
        id: string;
        account: string;
        phone_hash: string | null;
        phone_num: string | null;
      }>(`SELECT id, account, phone_hash, phone_num FROM player WHERE brand_id = $1 AND id = $2`, [playerId]);
      return rows.rows[0];
    });
    if (!player) throw new NotFoundError('player not found');
    return { ...player, id: Number(player.id) };
  }

  /** POST /players/{id}/adjust → wallet adjust → ADJUST_BALANCE. */
  async adjustPlayer(
    operatorId: number,
    brandId: BrandId,
    playerId: number,
    amount: string,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    await this.loadPlayer(brandId, playerId);
    const data = await this.wallet.command({
      brandId,
      path: `/internal/wallet/players/${playerId}/adjust`,
      body: {
        player_id: playerId,
        amount,
        operator_id: operatorId,
        reason,
        idempotency_key: `admin:adjust:${playerId}:${requestId()}`,
      },
    });
    const transactionId = walletTransactionId(data);
    const audited = await this.audit.money(
      {
        brandId,
        operatorId,
        action: 'ADJUST_BALANCE',
        targetType: 'player',
        targetId: playerId,
        before: null,
        after: { status: 'done', amount, transaction_id: transactionId },
        reason,
      },
      '/api/v1/players/:id/adjust',
    );
    return {
      player_id: playerId,
      brand_id: brandId,
      amount,
      transaction_id: transactionId,
      wallet: data,
      audited,
    };
  }

  /** POST /players/{id}/edit-password → EDIT_PLAYER_PASSWORD with {"changed": true}; the player's session is ended. */
  async editPlayerPassword(
    operatorId: number,
    brandId: BrandId,
    playerId: number,
    password: string,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    const player = await this.loadPlayer(brandId, playerId);
    const hash = await this.hasher.hash(password);
    await this.db.brandTransaction(brandId, (tx) =>
      tx.sql(`UPDATE player SET password_hash = $2, updated_at = now() WHERE brand_id = $1 AND id = $3`, [
        hash,
        playerId,
      ]),
    );
    try {
      await this.redis.del(`user-session:brand:${brandId}:${player.account}`);
    } catch (err) {
      this.logger.warn(
        { brand_id: brandId, player_id: playerId, err: err instanceof Error ? err.message : String(err) },
        'session revoke after password change failed',
      );
    }
    const audited = await this.audit.money(
      {
        brandId,
        operatorId,
        action: 'EDIT_PLAYER_PASSWORD',
        targetType: 'player',
        targetId: playerId,
        reason,
        payload: { changed: true },
      },
      '/api/v1/players/:id/edit-password',
    );
    return { player_id: playerId, changed: true, audited };
  }

  /** POST /players/{id}/edit-phone → EDIT_PLAYER_PHONE with sha256-first-8 of the old and new numbers only. */
  async editPlayerPhone(
    operatorId: number,
    brandId: BrandId,
    playerId: number,
    rawPhone: string,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    const phone = normalizePhone(rawPhone);
    const player = await this.loadPlayer(brandId, playerId);
    let oldHash: string | null = player.phone_hash ? player.phone_hash.slice(0, 8) : null;
    if (oldHash === null && player.phone_num) {
      try {
        oldHash = contactHashShort(this.pii.decrypt(player.phone_num));
      } catch {
        oldHash = null;
      }
    }
    await this.db.brandTransaction(brandId, (tx) =>
      tx.sql(
        `UPDATE player SET phone_num = $2, phone_hash = $3, updated_at = now() WHERE brand_id = $1 AND id = $4`,
        [this.pii.encrypt(phone), contactHash(phone), playerId],
      ),
    );
    const newHash = contactHashShort(phone);
    const audited = await this.audit.money(
      {
        brandId,
        operatorId,
        action: 'EDIT_PLAYER_PHONE',
        targetType: 'player',
        targetId: playerId,
        reason,
        payload: { old_phone_hash: oldHash, new_phone_hash: newHash, changed: oldHash !== newHash },
      },
      '/api/v1/players/:id/edit-phone',
    );
    return { player_id: playerId, phone_hash: newHash, audited };
  }

  private async loadAgent(
    agentId: number,
    lock = false,
  ): Promise<{ guid: number; locked: boolean; commission_rate: string; balance: string }> {
    const rows: Array<{ guid: string; locked: boolean; commission_rate: string; balance: string }> =
      await this.db.dataSource.query(
        `SELECT guid, locked, commission_rate, balance FROM agent WHERE guid = $1${lock ? ' FOR UPDATE' : ''}`,
        [agentId],
      );
    if (!rows[0]) throw new NotFoundError('agent not found');
    return { ...rows[0], guid: Number(rows[0].guid) };
  }

  /**
   * Agents are global (no brand on the row), so account edits are audited
   * with brand_id 0; the balance write is per brand (agent_balance_log).
   */
  async resetAgentPassword(
    operatorId: number,
    agentId: number,
    password: string,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    await this.loadAgent(agentId);
    const hash = await this.hasher.hash(password);
    // As the agent's own password change does: no token issued under the old password stays usable.
    await this.revokeAgentTokens(agentId, async () => {
      await this.db.dataSource.query(
        `UPDATE agent SET password_hash = $2, updated_at = now() WHERE guid = $1`,
        [agentId, hash],
      );
    });
    const audited = await this.audit.money(
      {
        brandId: 0,
        operatorId,
        action: 'RESET_AGENT_PASSWORD',
        targetType: 'agent',
        targetId: agentId,
        reason,
        payload: { changed: true },
      },
      '/api/v1/agents/:id/reset-password',
    );
    return { agent_id: agentId, changed: true, audited };
  }

  /**
   * Revokes every live token of the agent around `write`: first, so that with Redis down nothing
   * changes (status 7, the operator retries); again after, for a token minted by a login in
   * between (a failure then is logged: the write and its audit stand).
   */
  private async revokeAgentTokens(agentId: number, write: () => Promise<void>): Promise<void> {
    await this.agentSessions.revokeAll(agentId);
    await write();
    await this.agentSessions
      .revokeAll(agentId)
      .catch((err: unknown) =>
        this.logger.warn(
          { agent_id: agentId, err: (err as Error).message },
          'agent token revocation retry failed',
        ),
      );
  }

  async setAgentLock(
    operatorId: number,
    agentId: number,
    locked: boolean,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    const agent = await this.loadAgent(agentId);
    const write = async (): Promise<void> => {
      await this.db.dataSource.query(`UPDATE agent SET locked = $2, updated_at = now() WHERE guid = $1`, [
        agentId,
        locked,
      ]);
    };
    // A locked agent is out at once, not when its tokens expire (login already refuses it).
    if (locked) await this.revokeAgentTokens(agentId, write);
    else await write();
    const state = (l: boolean) => (l ? 'locked' : 'unlocked');
    const audited = await this.audit.money(
      {
        brandId: 0,
        operatorId,
        action: locked ? 'LOCK_AGENT' : 'UNLOCK_AGENT',
        targetType: 'agent',
        targetId: agentId,
        before: { status: state(agent.locked) },
        after: { status: state(locked) },
        reason,
      },
      locked ? '/api/v1/agents/:id/lock' : '/api/v1/agents/:id/unlock',
    );
    return { agent_id: agentId, locked, audited };
  }

  async updateAgentCommission(
    operatorId: number,
    agentId: number,
    rate: string,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    const agent = await this.loadAgent(agentId);
    const rows = returningRows<{ commission_rate: string }>(
      await this.db.dataSource.query(
        `UPDATE agent SET commission_rate = $2, updated_at = now() WHERE guid = $1 RETURNING commission_rate`,
        [agentId, rate],
      ),
    );
    const audited = await this.audit.money(
      {
        brandId: 0,
        operatorId,
        action: 'UPDATE_AGENT_COMMISSION',
        targetType: 'agent',
        targetId: agentId,
        reason,
        payload: {
          commission_rate_before: agent.commission_rate,
          commission_rate_after: rows[0].commission_rate,
        },
      },
      '/api/v1/agents/:id/update-commission',
    );
    return { agent_id: agentId, commission_rate: rows[0].commission_rate, audited };
  }

  /** Legacy direct write (bypasses wallet_service), counted until it can move there. */
  async adjustAgentBalance(
    operatorId: number,
    brandId: BrandId,
    agentId: number,
    amount: string,
    changeType: AgentBalanceChangeType | undefined,
    reason: string | null,
  ): Promise<Record<string, unknown>> {
    const type: AgentBalanceChangeType = changeType ?? (amount.startsWith('-') ? 'manual_sub' : 'manual_add');
    const result = await this.db.brandTransaction(brandId, async (tx) => {
      const allowed = await tx.sql<{ status: string }>(
        `SELECT status FROM agent_brand WHERE brand_id = $1 AND agent_id = $2`,
        [agentId],
      );
      const agentRows: Array<{ balance: string }> = await tx.manager.query(
        `SELECT balance FROM agent WHERE guid = $1 FOR UPDATE`,
        [agentId],
      );
      if (!agentRows[0]) throw new NotFoundError('agent not found');
      if (allowed.rows[0]?.status !== 'enabled')
        throw new BrandNotAllowedError('agent is not enabled for this brand');
      const updated = returningRows<{ balance: string }>(
        await tx.manager.query(
          `UPDATE agent SET balance = balance + $2::numeric, updated_at = now() WHERE guid = $1 AND balance + $2::numeric >= 0 RETURNING balance`,
          [agentId, amount],
        ),
      );
      if (!updated[0]) throw new BusinessRuleError('insufficient agent balance');
      const log = await tx.sql<{ id: string }>(
        `INSERT INTO agent_balance_log (brand_id, agent_id, change_type, amount, balance_before, balance_after, operator_id, remark)
         VALUES ($1, $2, $3, $4::numeric, $5::numeric, $6::numeric, $7, $8) RETURNING id`,
        [agentId, type, amount, agentRows[0].balance, updated[0].balance, String(operatorId), reason],
      );
      return { before: agentRows[0].balance, after: updated[0].balance, logId: Number(log.rows[0].id) };
    });
    Metrics.agentBalanceLegacyWrite().inc({ change_type: type });
    const audited = await this.audit.money(
      {
        brandId,
        operatorId,
        action: 'ADJUST_AGENT_BALANCE',
        targetType: 'agent',
        targetId: agentId,
        before: { amount: result.before },
        after: { amount: result.after, transaction_id: `agent_balance_log:${result.logId}` },
        reason,
        payload: { change_type: type, delta: amount },
      },
      '/api/v1/agents/:id/adjust-balance',
    );
    return {
      agent_id: agentId,
      brand_id: brandId,
      balance_before: result.before,
      balance_after: result.after,
      change_type: type,
      audited,
    };
  }
}
