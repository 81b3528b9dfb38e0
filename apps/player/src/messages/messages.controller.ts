/** Player message routes (seed 000 "player messages"): list, read / mark read, unread count. */
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { BrandContextService } from '@app/brand-context';
import { InvalidInputError, ok, type Envelope } from '@app/http';
import { GatewayPlayer } from '../shared/internal-route';
import { CurrentPlayer, type PlayerIdentity } from '../shared/request-info';
import { MessagesService } from './messages.service';

export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  page_size?: number;
}

function messageId(raw: string): number {
  if (!/^[0-9]{1,15}$/.test(raw) || Number(raw) <= 0) throw new InvalidInputError('invalid input', { id: ['isPositiveInt'] });
  return Number(raw);
}

@Controller('internal/players/messages')
@GatewayPlayer()
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly brands: BrandContextService,
  ) {}

  @Get()
  async list(@CurrentPlayer() identity: PlayerIdentity, @Query() query: PageQuery): Promise<Envelope> {
    return ok(await this.messages.list(identity, this.brands.requireBrandId(), query.page ?? 1, query.page_size ?? 20));
  }

  @Get('unread/count')
  async unread(@CurrentPlayer() identity: PlayerIdentity): Promise<Envelope> {
    return ok(await this.messages.unreadCount(identity, this.brands.requireBrandId()));
  }

  @Get(':id')
  async read(@CurrentPlayer() identity: PlayerIdentity, @Param('id') id: string): Promise<Envelope> {
    return ok(await this.messages.read(identity, this.brands.requireBrandId(), messageId(id)));
  }

  /** Legacy clients mark a message read with POST; same effect as reading it. */
  @Post(':id')
  @HttpCode(200)
  async markRead(@CurrentPlayer() identity: PlayerIdentity, @Param('id') id: string): Promise<Envelope> {
    return ok(await this.messages.read(identity, this.brands.requireBrandId(), messageId(id)));
  }
}
