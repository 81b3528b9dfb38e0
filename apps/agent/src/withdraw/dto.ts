/** Agent withdrawal request shapes (seed 001 `/agent/withdraw/*`); bank details are masked. */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PageQuery } from '../shared/paging';

export class PayoutBank {
  @ApiProperty({ nullable: true, type: String }) bank_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) bank_name!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '********1234' }) bank_num!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '************4321' }) card_number!: string | null;
  @ApiProperty({ nullable: true, type: String }) holder_name!: string | null;
}

export class WithdrawInit {
  @ApiProperty({ example: '0.00' }) balance!: string;
  @ApiProperty({ example: '0.00', description: 'Requests still awaiting approval in this brand' })
  pending_amount!: string;
  @ApiProperty({ example: '0.00', description: 'balance - pending_amount' }) available_amount!: string;
  @ApiProperty({ example: '10000.00' }) min_withdrawal_limit!: string;
  @ApiProperty({ type: PayoutBank }) bank!: PayoutBank;
}

export class WithdrawAddBody {
  @ApiProperty({ example: '50000.00', description: 'Positive amount, at most 2 decimals' })
  @IsString()
  @Matches(/^\d{1,16}(\.\d{1,2})?$/)
  amount!: string;
}

export class WithdrawRow {
  @ApiProperty() id!: number;
  @ApiProperty({ example: '50000.00' }) amount!: string;
  @ApiProperty({ enum: ['pending', 'agreed', 'declined', 'paid'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) bank_id!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '********1234' }) bank_num!: string | null;
  @ApiProperty({ nullable: true, type: String }) holder_name!: string | null;
  @ApiProperty({ nullable: true, type: String }) remark!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) processed_at!: string | null;
}

export class WithdrawListQuery extends PageQuery {}
