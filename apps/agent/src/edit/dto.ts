/**
 * OTP-gated profile edits (seed 001, Codex T1-D-C4): the new phone gets the
 * code for a phone change; the phone on file gets it for a payout-bank
 * change. Responses never echo a phone, card or code.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export class PhoneSendSmsBody {
  @ApiProperty({
    description: 'The new phone number: 8-15 digits, optional leading +',
    example: '+821012345678',
  })
  @IsString()
  @MaxLength(32)
  phone!: string;
}

export class EditPhoneBody extends PhoneSendSmsBody {
  @ApiProperty({ description: 'The code sent to the new phone' })
  @IsString()
  @Matches(/^\d{4,8}$/)
  code!: string;
}

export class EditBankBody {
  @ApiProperty({ description: 'A bank_id from /agent/bank/list', example: 'KB' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  bank_id!: string;

  @ApiProperty({ description: 'Bank account number (digits and dashes)', example: '123-456-789012' })
  @IsString()
  @Matches(/^[0-9][0-9-]{4,38}[0-9]$/)
  bank_num!: string;

  @ApiProperty({ example: 'Hong Gildong' })
  @IsString()
  @Length(1, 64)
  holder_name!: string;

  @ApiPropertyOptional({ description: 'Payout card number, 12-19 digits' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{12,19}$/)
  card_number?: string;

  @ApiProperty({ description: 'The code sent to the phone on file' })
  @IsString()
  @Matches(/^\d{4,8}$/)
  code!: string;
}

export class SmsSent {
  @ApiProperty({ example: true }) sent!: boolean;
  @ApiProperty({ description: 'Seconds the code stays valid' }) expires_in!: number;
}
