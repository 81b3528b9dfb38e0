/** Agent recovery shapes: the player recovery contract (CONTRACTS §7) plus the legacy one-call `/agent/forget`. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength, MinLength } from 'class-validator';

export class RecoveryRequestBody {
  @ApiProperty({ description: 'The phone (or email) on the agent account' })
  @IsString()
  @MaxLength(320)
  contact!: string;
}

export class RecoveryVerifyBody extends RecoveryRequestBody {
  @ApiProperty({ description: 'The code that was sent' })
  @IsString()
  @Length(1, 12)
  code!: string;
}

export class RecoveryResetBody {
  @ApiProperty()
  @IsString()
  @Length(1, 8192)
  reset_token!: string;

  @ApiProperty({ format: 'password', minLength: 6, maxLength: 64 })
  @IsString()
  @MinLength(6)
  @MaxLength(64)
  new_password!: string;
}

export class Accepted {
  @ApiProperty({ example: true, description: 'Always true, known contact or not' }) accepted!: boolean;
}

export class ResetToken {
  @ApiProperty() reset_token!: string;
}

export class ForgetBody extends RecoveryRequestBody {
  @ApiPropertyOptional({
    description: 'The code; together with new_password it completes the reset in this call',
  })
  @IsOptional()
  @IsString()
  @Length(1, 12)
  code?: string;

  @ApiPropertyOptional({ format: 'password', minLength: 6, maxLength: 64 })
  @IsOptional()
  @IsString()
  @MinLength(6)
  @MaxLength(64)
  new_password?: string;
}

export class ForgetResult {
  @ApiProperty({
    enum: ['requested', 'reset'],
    description: 'requested: a code was sent if the contact is known; reset: the password changed',
  })
  step!: 'requested' | 'reset';
}
