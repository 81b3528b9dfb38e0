/** Request bodies of the profile routes (seed 000 "player profile and account info"). */
import { IsString, Length, MaxLength, MinLength } from 'class-validator';

export class EditPasswordDto {
  @IsString()
  @MaxLength(128)
  old_password!: string;

  @IsString()
  @Length(6, 64)
  new_password!: string;
}

export class PhoneSendSmsDto {
  @IsString()
  @MaxLength(32)
  phone!: string;
}

export class EditPhoneDto {
  @IsString()
  @MaxLength(32)
  phone!: string;

  @IsString()
  @MaxLength(16)
  sms_code!: string;
}

export class EditBankDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  bank_name!: string;

  @IsString()
  @Length(6, 34)
  bank_num!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  holder_name!: string;

  @IsString()
  @MaxLength(16)
  sms_code!: string;
}
