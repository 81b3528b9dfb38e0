/**
 * The routes of seed 004 "Money-write audit guarantees", with the seed's
 * paths under /api/v1. Player and withdrawal routes are brand-scoped (the
 * request brand pins the row); agent account routes act on the global agent
 * row, agent adjust-balance on one brand's agent ledger.
 */
import { Body, Controller, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ok } from '@app/http';
import type { BrandId } from '@app/database';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { RequestBrand } from '../common/request-context';
import { MoneyService } from './money.service';
import {
  AGENT_BALANCE_CHANGE_TYPES,
  type AgentBalanceChangeType,
  type Transition,
  TRANSITIONS,
} from './transitions';

const AMOUNT = /^-?(0|[1-9]\d{0,15})(\.\d{1,2})?$/;

class ReasonDto {
  @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

class AdjustDto extends ReasonDto {
  @IsString() @Matches(AMOUNT) @Matches(/[1-9]/, { message: 'amount must not be zero' }) amount!: string;
}

class AgentAdjustDto extends AdjustDto {
  @IsOptional() @IsIn(AGENT_BALANCE_CHANGE_TYPES as unknown as string[]) change_type?: AgentBalanceChangeType;
}

class PasswordDto extends ReasonDto {
  @IsString() @MinLength(6) @MaxLength(128) password!: string;
}

class PhoneDto extends ReasonDto {
  @IsString() @MaxLength(32) phone!: string;
}

class CommissionDto extends ReasonDto {
  @IsString() @Matches(/^(0|[1-9]\d{0,2})(\.\d{1,4})?$/) commission_rate!: string;
}

class ShooterDto extends ReasonDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Type(() => Number)
  @IsInt({ each: true })
  @Min(1, { each: true })
  ids!: number[];
}

class CoinAgreeDto extends ReasonDto {
  @Type(() => Number) @IsInt() @Min(1) id!: number;
}

@Controller('api/v1')
export class MoneyController {
  constructor(private readonly money: MoneyService) {}

  private move(operatorId: number, brandId: BrandId, t: Transition, id: number, body: ReasonDto) {
    return this.money.transition(operatorId, brandId, t, id, body.reason ?? null).then(ok);
  }

  @Post('players/:id/adjust')
  @HttpCode(200)
  async adjust(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: AdjustDto,
  ) {
    return ok(await this.money.adjustPlayer(op, brand, id, body.amount, body.reason ?? null));
  }

  @Post('players/:id/edit-password')
  @HttpCode(200)
  async editPassword(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: PasswordDto,
  ) {
    return ok(await this.money.editPlayerPassword(op, brand, id, body.password, body.reason ?? null));
  }

  @Post('players/:id/edit-phone')
  @HttpCode(200)
  async editPhone(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: PhoneDto,
  ) {
    return ok(await this.money.editPlayerPhone(op, brand, id, body.phone, body.reason ?? null));
  }

  @Post('players/deposits/shooter-agree')
  @HttpCode(200)
  async shooterAgree(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Body() body: ShooterDto,
  ) {
    const results: Array<Record<string, unknown>> = [];
    for (const id of [...new Set(body.ids)]) {
      try {
        results.push({
          ok: true,
          ...(await this.money.transition(
            op,
            brand,
            TRANSITIONS.depositShooterAgree,
            id,
            body.reason ?? null,
          )),
        });
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        results.push({
          ok: false,
          id,
          status: typeof status === 'number' ? status : 1,
          msg: err instanceof Error ? err.message : 'failed',
        });
      }
    }
    return ok({ results });
  }

  @Post('players/deposits/:id/agree')
  @HttpCode(200)
  depositAgree(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.depositAgree, id, body);
  }

  @Post('players/deposits/:id/decline')
  @HttpCode(200)
  depositDecline(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.depositDecline, id, body);
  }

  @Post('players/deposits/:id/recycle')
  @HttpCode(200)
  depositRecycle(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.depositRecycle, id, body);
  }

  @Post('players/deposits/:id/coin-agree')
  @HttpCode(200)
  depositCoinAgree(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.depositCoinAgree, id, body);
  }

  /** The seed's second spelling of coin approval, with the deposit id in the body. */
  @Post('player/deposit/coin/agree')
  @HttpCode(200)
  coinAgreeLegacy(@CurrentOperator() op: number, @RequestBrand() brand: BrandId, @Body() body: CoinAgreeDto) {
    return this.move(
      op,
      brand,
      { ...TRANSITIONS.depositCoinAgree, route: '/api/v1/player/deposit/coin/agree' },
      body.id,
      body,
    );
  }

  @Post('players/withdrawals/:id/review-agree')
  @HttpCode(200)
  reviewAgree(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.withdrawReviewAgree, id, body);
  }

  @Post('players/withdrawals/:id/review-decline')
  @HttpCode(200)
  reviewDecline(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.withdrawReviewDecline, id, body);
  }

  @Post('players/withdrawals/:id/pay-agree')
  @HttpCode(200)
  payAgree(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.withdrawPayAgree, id, body);
  }

  @Post('players/withdrawals/:id/pay-decline')
  @HttpCode(200)
  payDecline(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.withdrawPayDecline, id, body);
  }

  @Post('agents/withdrawals/:id/agree')
  @HttpCode(200)
  agentAgree(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.agentWithdrawAgree, id, body);
  }

  @Post('agents/withdrawals/:id/decline')
  @HttpCode(200)
  agentDecline(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.agentWithdrawDecline, id, body);
  }

  @Post('agents/withdrawals/:id/pay')
  @HttpCode(200)
  agentPay(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return this.move(op, brand, TRANSITIONS.agentWithdrawPay, id, body);
  }

  @Post('agents/:id/reset-password')
  @HttpCode(200)
  async resetAgentPassword(
    @CurrentOperator() op: number,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: PasswordDto,
  ) {
    return ok(await this.money.resetAgentPassword(op, id, body.password, body.reason ?? null));
  }

  @Post('agents/:id/lock')
  @HttpCode(200)
  async lockAgent(
    @CurrentOperator() op: number,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return ok(await this.money.setAgentLock(op, id, true, body.reason ?? null));
  }

  @Post('agents/:id/unlock')
  @HttpCode(200)
  async unlockAgent(
    @CurrentOperator() op: number,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ReasonDto,
  ) {
    return ok(await this.money.setAgentLock(op, id, false, body.reason ?? null));
  }

  @Post('agents/:id/update-commission')
  @HttpCode(200)
  async updateCommission(
    @CurrentOperator() op: number,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: CommissionDto,
  ) {
    return ok(await this.money.updateAgentCommission(op, id, body.commission_rate, body.reason ?? null));
  }

  @Post('agents/:id/adjust-balance')
  @HttpCode(200)
  async adjustAgentBalance(
    @CurrentOperator() op: number,
    @RequestBrand() brand: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: AgentAdjustDto,
  ) {
    return ok(
      await this.money.adjustAgentBalance(op, brand, id, body.amount, body.change_type, body.reason ?? null),
    );
  }
}
