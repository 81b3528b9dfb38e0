/** Admin login (CONTRACTS §7): the only /api/v1 route without the admin JWT. */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { ok } from '@app/http';
import { Public } from './admin-auth.guard';
import { AuthService } from './auth.service';

class LoginDto {
  @IsString() @MinLength(1) @MaxLength(64) account!: string;
  @IsString() @MinLength(1) @MaxLength(256) password!: string;
}

@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto) {
    return ok(await this.auth.login(body.account, body.password));
  }
}
