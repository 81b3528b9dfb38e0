/** Sub-agent management shapes (seed 001 `/agent/sub/*`). */
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumberString, Matches, Min } from 'class-validator';

export class SubAgentRow {
  @ApiProperty() agent_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ nullable: true, type: String }) nickname!: string | null;
  @ApiProperty({ enum: ['enabled', 'disabled'], description: 'agent_brand status in this brand' })
  status!: string;
  @ApiProperty() level!: number;
  @ApiProperty({ example: '0.1000' }) commission_rate!: string;
  @ApiProperty({ description: 'Direct players in this brand' }) player_count!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class SubAgentQuery {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  agent_id!: number;
}

export class SubCommissionBody {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  agent_id!: number;

  @ApiProperty({ example: '0.0500', description: "A fraction between 0 and the parent agent's own rate" })
  @IsNumberString()
  @Matches(/^\d{1,3}(\.\d{1,4})?$/)
  commission_rate!: string;
}
