/** Game-provider shapes of the agent portal (seed 001 `/agent/provider/*`). */
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Matches, Min, ValidateNested } from 'class-validator';

export class ProviderRow {
  @ApiProperty() provider_id!: number;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
}

export class ProviderPercentageRow extends ProviderRow {
  @ApiProperty({ example: '0.1000', description: 'Revenue share for this provider in this brand (fraction)' })
  percentage!: string;
  @ApiProperty({
    example: '0.1500',
    description: "The most the agent may give (its parent's or its own percentage)",
  })
  max_percentage!: string;
}

export class PercentageItem {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  provider_id!: number;

  @ApiProperty({ example: '0.0500' })
  @Matches(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/)
  percentage!: string;
}

export class SubPercentageBody {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  agent_id!: number;

  @ApiProperty({ type: [PercentageItem] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PercentageItem)
  items!: PercentageItem[];
}

export class IncomeReport {
  @ApiProperty({ example: '2026-01-01' }) start!: string;
  @ApiProperty({ example: '2026-01-07' }) end!: string;
  @ApiProperty({ example: '0.00', description: "Approved deposits of the agent's players" })
  deposit_amount!: string;
  @ApiProperty({ example: '0.00', description: "Paid withdrawals of the agent's players" })
  withdraw_amount!: string;
  @ApiProperty({ example: '0.00' }) net_amount!: string;
  @ApiProperty({ example: '0.1000' }) commission_rate!: string;
  @ApiProperty({ example: '0.00', description: 'net_amount × commission_rate (never below 0)' })
  estimated_income!: string;
  @ApiProperty({
    example: '0.00',
    description: 'Credits booked to the agent in agent_balance_log in this brand',
  })
  credited_income!: string;
}
