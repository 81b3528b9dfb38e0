/**
 * `/internal/common/*` (seed 000): notices, banners, captcha, site settings;
 * plus `/internal/players/captcha`, where the gateway maps the player-family
 * captcha route (`/api/v1/user/captcha`).
 */
import { Controller, Get, Query } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { BrandContextService } from '@app/brand-context';
import { ok, type Envelope } from '@app/http';
import { GatewayOnly } from '../shared/internal-route';
import { CaptchaService } from './captcha.service';
import { ContentService } from './content.service';

export class NoticeQuery {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  kind?: string;
}

export class BannerQuery {
  @IsOptional()
  @IsString()
  @MaxLength(32)
  position?: string;
}

@Controller('internal/common')
@GatewayOnly()
export class ContentController {
  constructor(
    private readonly content: ContentService,
    private readonly captcha: CaptchaService,
    private readonly brands: BrandContextService,
  ) {}

  @Get('notices')
  async notices(@Query() query: NoticeQuery): Promise<Envelope> {
    return ok(await this.content.notices(this.brands.requireBrandId(), query.kind));
  }

  @Get('banners')
  async banners(@Query() query: BannerQuery): Promise<Envelope> {
    return ok(await this.content.banners(this.brands.requireBrandId(), query.position));
  }

  @Get('captcha')
  async captchaChallenge(): Promise<Envelope> {
    return ok(await this.captcha.create(this.brands.requireBrandId()));
  }

  @Get('site_setting')
  async siteSetting(): Promise<Envelope> {
    return ok(await this.content.siteSetting(this.brands.requireBrandId()));
  }
}

@Controller('internal/players')
@GatewayOnly()
export class PlayerCaptchaController {
  constructor(
    private readonly captcha: CaptchaService,
    private readonly brands: BrandContextService,
  ) {}

  @Get('captcha')
  async captchaChallenge(): Promise<Envelope> {
    return ok(await this.captcha.create(this.brands.requireBrandId()));
  }
}
