/**
 * Brand-scoped player operations (seed 004 "Routes that read or write
 * brand-scoped operational tables ... must resolve one operating brand ...
 * and apply it as a SQL predicate"): every handler takes the request brand
 * (X-Brand-Id, else the domain map; status 54 otherwise) and queries through
 * a repository whose first condition is `brand_id = :brandId`. Rows of
 * another brand are simply not found. PII columns (phone, bank numbers) are
 * never returned.
 */
import { Body, Controller, Get, Param, ParseIntPipe, Patch, Query } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { NotFoundError, ok } from '@app/http';
import { AgentWithdraw, type BrandId, Database, Player, PlayerDeposit, PlayerWithdraw } from '@app/database';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { AdminAuditService } from '../common/admin-audit.service';
import { RequestBrand } from '../common/request-context';
import { IsOptionalNonNull, NoNulChar } from '../common/validation';
import { brandPage, brandRowById, iso, PageQuery } from './paging';

class PlayerQuery extends PageQuery {
  @IsOptional() @IsString() @NoNulChar() @MaxLength(64) account?: string;
  @IsOptional() @IsIn(['enabled', 'disabled', 'locked']) status?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) agent_id?: number;
}

class MoneyRowQuery extends PageQuery {
  @IsOptional() @IsString() @NoNulChar() @MaxLength(32) status?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) player_id?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) agent_id?: number;
}

// status and level are NOT NULL columns; a null nickname clears it.
class UpdatePlayerDto {
  @IsOptionalNonNull() @IsIn(['enabled', 'disabled', 'locked']) status?: 'enabled' | 'disabled' | 'locked';
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(0) @Max(1000) level?: number;
  @IsOptional() @IsString() @NoNulChar() @MaxLength(64) nickname?: string | null;
}

export const playerView = (p: Player) => ({
  player_id: p.id,
  brand_id: p.brandId,
  account: p.account,
  nickname: p.nickname,
  agent_id: p.agentId,
  level: p.level,
  status: p.status,
  has_phone: p.phoneNum !== null,
  created_at: iso(p.createdAt),
  last_login_at: iso(p.lastLoginAt),
});

export const depositView = (d: PlayerDeposit) => ({
  id: d.id,
  brand_id: d.brandId,
  player_id: d.playerId,
  amount: d.amount,
  channel: d.channel,
  status: d.status,
  depositor_name: d.depositorName,
  transaction_id: d.transactionId,
  operator_id: d.operatorId,
  remark: d.remark,
  processed_at: iso(d.processedAt),
  created_at: iso(d.createdAt),
});

export const withdrawView = (w: PlayerWithdraw) => ({
  id: w.id,
  brand_id: w.brandId,
  player_id: w.playerId,
  amount: w.amount,
  status: w.status,
  bank_name: w.bankName,
  holder_name: w.holderName,
  transaction_id: w.transactionId,
  operator_id: w.operatorId,
  remark: w.remark,
  reviewed_at: iso(w.reviewedAt),
  paid_at: iso(w.paidAt),
  created_at: iso(w.createdAt),
});

export const agentWithdrawView = (w: AgentWithdraw) => ({
  id: w.id,
  brand_id: w.brandId,
  agent_id: w.agentId,
  amount: w.amount,
  status: w.status,
  bank_name: w.bankName,
  holder_name: w.holderName,
  transaction_id: w.transactionId,
  operator_id: w.operatorId,
  remark: w.remark,
  processed_at: iso(w.processedAt),
  created_at: iso(w.createdAt),
});

@Controller('api/v1')
export class PlayersController {
  constructor(
    private readonly db: Database,
    private readonly audit: AdminAuditService,
  ) {}

  @Get('players')
  players(@RequestBrand() brandId: BrandId, @Query() q: PlayerQuery) {
    const filters = { account: q.account, status: q.status, agent_id: q.agent_id };
    return brandPage(this.db, brandId, Player, q, filters, playerView);
  }

  @Get('players/deposits')
  deposits(@RequestBrand() brandId: BrandId, @Query() q: MoneyRowQuery) {
    const filters = { status: q.status, player_id: q.player_id };
    return brandPage(this.db, brandId, PlayerDeposit, q, filters, depositView);
  }

  @Get('players/deposits/:id')
  deposit(@RequestBrand() brandId: BrandId, @Param('id', ParseIntPipe) id: number) {
    return brandRowById(this.db, brandId, PlayerDeposit, id, 'deposit', depositView);
  }

  @Get('players/withdrawals')
  withdrawals(@RequestBrand() brandId: BrandId, @Query() q: MoneyRowQuery) {
    const filters = { status: q.status, player_id: q.player_id };
    return brandPage(this.db, brandId, PlayerWithdraw, q, filters, withdrawView);
  }

  @Get('players/withdrawals/:id')
  withdrawal(@RequestBrand() brandId: BrandId, @Param('id', ParseIntPipe) id: number) {
    return brandRowById(this.db, brandId, PlayerWithdraw, id, 'withdrawal', withdrawView);
  }

  @Get('agents/withdrawals')
  agentWithdrawals(@RequestBrand() brandId: BrandId, @Query() q: MoneyRowQuery) {
    const filters = { status: q.status, agent_id: q.agent_id };
    return brandPage(this.db, brandId, AgentWithdraw, q, filters, agentWithdrawView);
  }

  @Get('players/:id')
  player(@RequestBrand() brandId: BrandId, @Param('id', ParseIntPipe) id: number) {
    return brandRowById(this.db, brandId, Player, id, 'player', playerView);
  }

  @Patch('players/:id')
  update(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdatePlayerDto,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      const repo = tx.repo(Player);
      const row = await repo
        .queryBuilder('p')
        .andWhere('p.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (!row) throw new NotFoundError('player not found');
      const patch = {
        ...(body.status !== undefined ? { status: body.status } : {}),
        ...(body.level !== undefined ? { level: body.level } : {}),
        ...(body.nickname !== undefined ? { nickname: body.nickname } : {}),
      };
      if (Object.keys(patch).length > 0) await repo.update({ id }, patch);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'UPDATE_PLAYER',
        resource: 'player',
        resourceId: id,
        before: { status: row.status, level: row.level },
        after: { status: body.status ?? row.status, level: body.level ?? row.level },
      });
      const updated = await repo.queryBuilder('p').andWhere('p.id = :id', { id }).getOne();
      return ok(playerView(updated as Player));
    });
  }
}
