/** Agent inbox shapes (seed 001 `/agent/messages/*`). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Min } from 'class-validator';

export class MessageRow {
  @ApiProperty() id!: number;
  @ApiProperty() title!: string;
  @ApiProperty() content!: string;
  @ApiProperty() is_read!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) read_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ReadBody {
  @ApiPropertyOptional({ type: [Number], description: 'Messages to mark read; omitted = every message' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Type(() => Number)
  @IsInt({ each: true })
  @Min(1, { each: true })
  ids?: number[];
}

export class ReadResult {
  @ApiProperty({ description: 'How many messages changed to read' }) updated!: number;
}

export class UnreadCount {
  @ApiProperty() count!: number;
}
