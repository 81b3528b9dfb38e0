/**
 * Request and response shapes of the agent auth and profile routes
 * (CONTRACTS §7 "Agent": login → {token, expires_in, agent: {agent_id,
 * account}, brand_id}). Response PII is masked: only the last 4 characters of
 * a phone, bank account or card number ever leave the service.
 */
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength, MinLength } from 'class-validator';

export class LoginBody {
  @ApiProperty({ example: 'agent01' })
  @IsString()
  @Length(1, 64)
  account!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class AgentRef {
  @ApiProperty() agent_id!: number;
  @ApiProperty() account!: string;
}

export class LoginResult {
  @ApiProperty() token!: string;
  @ApiProperty({ description: 'Seconds until the token expires' }) expires_in!: number;
  @ApiProperty({ type: AgentRef }) agent!: AgentRef;
  @ApiProperty({ description: 'The brand resolved from the request domain at login' }) brand_id!: number;
}

export class AgentInfo {
  @ApiProperty() agent_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ nullable: true, type: String }) nickname!: string | null;
  @ApiProperty() brand_id!: number;
  @ApiProperty() level!: number;
  @ApiProperty({ nullable: true, type: Number }) parent_id!: number | null;
  @ApiProperty({ enum: ['enabled', 'disabled'] }) status!: string;
  @ApiProperty({ example: '0.00' }) balance!: string;
  @ApiProperty({ example: '0.1000' }) commission_rate!: string;
  @ApiProperty({ nullable: true, type: String, example: '*******5678' }) phone!: string | null;
  @ApiProperty({ nullable: true, type: String }) bank_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) bank_name!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '********1234' }) bank_num!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '************4321' }) card_number!: string | null;
  @ApiProperty({ nullable: true, type: String }) holder_name!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) last_login_at!: string | null;
}

export class TopInfo {
  @ApiProperty() agent_id!: number;
  @ApiProperty() account!: string;
  @ApiProperty({ nullable: true, type: String }) nickname!: string | null;
  @ApiProperty() brand_id!: number;
  @ApiProperty({ example: '0.00' }) balance!: string;
  @ApiProperty() unread_messages!: number;
  @ApiProperty() player_count!: number;
}

export class EditPasswordBody {
  @ApiProperty({ format: 'password' })
  @IsString()
  @Length(1, 128)
  old_password!: string;

  @ApiProperty({ format: 'password', minLength: 6, maxLength: 64 })
  @IsString()
  @MinLength(6)
  @MaxLength(64)
  new_password!: string;
}

export class EditPasswordResult {
  @ApiProperty({ description: 'Every token of the agent was revoked; log in again' })
  revoked_sessions!: number;
}
