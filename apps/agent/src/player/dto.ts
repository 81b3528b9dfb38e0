/** Downstream-player views (seed 001 `/agent/player/*`): the agent's own players in the request brand. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { PageQuery } from '../shared/paging';

export class PlayerListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Account prefix' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  account?: string;

  @ApiPropertyOptional({ enum: ['enabled', 'disabled', 'locked'] })
  @IsOptional()
  @IsIn(['enabled', 'disabled', 'locked'])
  status?: string;
}

export class PlayerQuery {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  player_id!: number;
}

export class PlayerMoneyQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'One player; default all of your players' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  player_id?: number;
}

export class PlayerRow {
  @ApiProperty() player_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ nullable: true, type: String }) nickname!: string | null;
  @ApiProperty({ enum: ['enabled', 'disabled', 'locked'] }) status!: string;
  @ApiProperty() level!: number;
  @ApiProperty({ nullable: true, type: String, example: '*******5678' }) phone!: string | null;
  @ApiProperty({ example: '0.00', description: 'Approved deposits, all time' }) deposit_amount!: string;
  @ApiProperty({ example: '0.00', description: 'Paid withdrawals, all time' }) withdraw_amount!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_login_at!: string | null;
}

export class PlayerDepositRow {
  @ApiProperty() id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ example: '10000.00' }) amount!: string;
  @ApiProperty() channel!: string;
  @ApiProperty({ enum: ['pending', 'approved', 'declined', 'recycled'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) processed_at!: string | null;
}

export class PlayerWithdrawRow {
  @ApiProperty() id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ example: '10000.00' }) amount!: string;
  @ApiProperty({ enum: ['pending', 'review_agreed', 'review_declined', 'paid', 'pay_declined'] })
  status!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) paid_at!: string | null;
}
