/**
 * Player auth routes (seed 000 "auth and registration helpers"; CONTRACTS §7
 * internal surface): HTTP mapping only, the rules live in AuthService.
 */
import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BrandContextService } from '@app/brand-context';
import { ok, type Envelope } from '@app/http';
import { GatewayOnly } from '../shared/internal-route';
import { CurrentPlayer, type PlayerIdentity, PlayerIdentityGuard, ReqInfo, type RequestInfo } from '../shared/request-info';
import { LoginDto, RegisterDto, SendSmsDto } from './auth.dto';
import { AuthService } from './auth.service';

@Controller('internal/players')
@GatewayOnly()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly brands: BrandContextService,
  ) {}

  @Post('register')
  @HttpCode(200)
  async register(@Body() dto: RegisterDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.auth.register(this.brands.requireBrandId(), dto, info));
  }

  @Post('register/sendSMS')
  @HttpCode(200)
  async sendSms(@Body() dto: SendSmsDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.auth.sendRegisterSms(this.brands.requireBrandId(), dto, info));
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @ReqInfo() info: RequestInfo): Promise<Envelope> {
    return ok(await this.auth.login(this.brands.requireBrandId(), dto, info));
  }

  @Post('logout')
  @HttpCode(200)
  @UseGuards(PlayerIdentityGuard)
  async logout(@CurrentPlayer() identity: PlayerIdentity): Promise<Envelope> {
    return ok(await this.auth.logout(this.brands.requireBrandId(), identity));
  }
}
