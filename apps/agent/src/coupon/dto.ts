/** Coupon shapes of the agent portal (seed 001 `/agent/coupon/*`). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class GrantBody {
  @ApiProperty({ description: 'One of your players in this brand' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  player_id!: number;

  @ApiProperty({ example: '5000.00' })
  @IsString()
  @Matches(/^\d{1,12}(\.\d{1,2})?$/)
  amount!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  remark?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 365,
    description: 'Days until the coupon expires; default never',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  expires_in_days?: number;
}

export class RecycleBody {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  coupon_id!: number;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

export class CouponRow {
  @ApiProperty() id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty({ example: '5000.00' }) amount!: string;
  @ApiProperty({ enum: ['granted', 'used', 'recycled', 'expired'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) remark!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) expires_at!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) recycled_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CouponLogRow {
  @ApiProperty() id!: number;
  @ApiProperty({ nullable: true, type: Number }) coupon_id!: number | null;
  @ApiProperty({ nullable: true, type: Number }) player_id!: number | null;
  @ApiProperty({ enum: ['grant', 'recycle'] }) action!: string;
  @ApiProperty({ example: '5000.00' }) amount!: string;
  @ApiProperty({ nullable: true, type: String }) remark!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CouponRecycleLogRow {
  @ApiProperty() id!: number;
  @ApiProperty({ nullable: true, type: Number }) coupon_id!: number | null;
  @ApiProperty({ nullable: true, type: Number }) player_id!: number | null;
  @ApiProperty({ example: '5000.00' }) amount!: string;
  @ApiProperty({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}
