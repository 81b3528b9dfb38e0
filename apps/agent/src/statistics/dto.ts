/** Statistics shapes of the dashboard and sub-agent reports (amounts are decimal strings). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';
import { DateRangeQuery } from '../shared/paging';

export class HomeSummary {
  @ApiProperty() brand_id!: number;
  @ApiProperty({ example: '0.00' }) balance!: string;
  @ApiProperty() player_count!: number;
  @ApiProperty() new_players_today!: number;
  @ApiProperty() sub_agent_count!: number;
  @ApiProperty() deposit_count!: number;
  @ApiProperty({ example: '0.00' }) deposit_amount!: string;
  @ApiProperty() withdraw_count!: number;
  @ApiProperty({ example: '0.00' }) withdraw_amount!: string;
  @ApiProperty({ example: '0.00' }) today_deposit_amount!: string;
  @ApiProperty({ example: '0.00' }) today_withdraw_amount!: string;
  @ApiProperty({ example: '0.00', description: 'Coupons this agent granted that are not recycled' })
  coupon_amount!: string;
  @ApiProperty({
    example: '0.00',
    description: "This agent's withdrawal requests awaiting approval in this brand",
  })
  pending_withdraw_amount!: string;
}

export class DailyRow {
  @ApiProperty({ example: '2026-01-01' }) day!: string;
  @ApiProperty() registrations!: number;
  @ApiProperty() deposit_count!: number;
  @ApiProperty({ example: '0.00' }) deposit_amount!: string;
  @ApiProperty() withdraw_count!: number;
  @ApiProperty({ example: '0.00' }) withdraw_amount!: string;
  @ApiProperty({ example: '0.00', description: 'deposit_amount - withdraw_amount' }) net_amount!: string;
}

export class SubStatisticRow {
  @ApiProperty() agent_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ nullable: true, type: String }) nickname!: string | null;
  @ApiProperty({ enum: ['enabled', 'disabled'], description: 'agent_brand status in this brand' })
  status!: string;
  @ApiProperty({ description: 'Players of the sub-agent and its own subtree' }) player_count!: number;
  @ApiProperty() registrations!: number;
  @ApiProperty() deposit_count!: number;
  @ApiProperty({ example: '0.00' }) deposit_amount!: string;
  @ApiProperty() withdraw_count!: number;
  @ApiProperty({ example: '0.00' }) withdraw_amount!: string;
  @ApiProperty({ example: '0.00' }) net_amount!: string;
}

export class SubDailyQuery extends DateRangeQuery {
  @ApiPropertyOptional({ description: 'One sub-agent; default every sub-agent' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  agent_id?: number;
}
