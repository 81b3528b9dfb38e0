/**
 * Request bodies of the player auth routes (CONTRACTS §7). Unknown fields are
 * stripped by the global validation pipe; the legacy `domain` field is kept
 * (agent/level lookup only, never the brand) and `brand_id` is kept so the
 * service can refuse a client-supplied brand.
 */
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export const ACCOUNT_PATTERN = /^[A-Za-z0-9_]{4,32}$/;

export class RegisterDto {
  @IsString()
  @Matches(ACCOUNT_PATTERN)
  account!: string;

  @IsString()
  @Length(6, 64)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  captcha_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  captcha?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  sms_code?: string;

  /** Refused with 51 when it differs from X-Brand-Id (any type is accepted here so the check can see it). */
  @IsOptional()
  brand_id?: unknown;

  @IsOptional()
  @IsString()
  @MaxLength(253)
  domain?: string;
}

export class SendSmsDto {
  @IsString()
  @MaxLength(32)
  phone!: string;
}

export class LoginDto {
  @IsString()
  @MaxLength(64)
  account!: string;

  @IsString()
  @MaxLength(128)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  captcha_id?: string;

  @IsOptional()
  @IsString()
  @MaxLength(16)
  captcha?: string;

  @IsOptional()
  @IsString()
  @MaxLength(253)
  domain?: string;
}
