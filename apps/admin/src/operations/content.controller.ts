/**
 * Brand-scoped content (seed 004: "Public content rows (player_notice,
 * banner, ...) are brand-scoped in runtime reads ... one announcement no
 * longer fans out to every brand"): player messages, notices and banners are
 * created in, listed from and changed only within the request brand. Coupons
 * and their logs are readable the same way (grants belong to
 * promotion/wallet). Content writes are audited with the brand.
 */
import { Body, Controller, Delete, Get, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { NotFoundError, ok } from '@app/http';
import {
  Banner,
  type BrandId,
  type BrandScopedEntity,
  type BrandTx,
  Coupon,
  CouponLog,
  CouponRecycleLog,
  Database,
  type EntityClass,
  Player,
  PlayerMessage,
  PlayerNotice,
} from '@app/database';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { AdminAuditService } from '../common/admin-audit.service';
import { RequestBrand } from '../common/request-context';
import { IsOptionalNonNull, NoNulChar } from '../common/validation';
import { brandPage, iso, PageQuery } from './paging';

const URL_OPTS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

class MessageQuery extends PageQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) player_id?: number;
}

class CreateMessageDto {
  @Type(() => Number) @IsInt() @Min(1) player_id!: number;
  @IsString() @NoNulChar() @MinLength(1) @MaxLength(200) title!: string;
  @IsString() @NoNulChar() @MinLength(1) @MaxLength(10_000) content!: string;
}

// kind, title, content, is_show and sort are NOT NULL columns: null is refused, not written.
class NoticeDto {
  @IsOptionalNonNull() @IsString() @NoNulChar() @MaxLength(32) kind?: string;
  @IsString() @NoNulChar() @MinLength(1) @MaxLength(200) title!: string;
  @IsString() @NoNulChar() @MinLength(1) @MaxLength(20_000) content!: string;
  @IsOptionalNonNull() @IsBoolean() is_show?: boolean;
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(-100_000) @Max(100_000) sort?: number;
}

class UpdateNoticeDto {
  @IsOptionalNonNull() @IsString() @NoNulChar() @MaxLength(32) kind?: string;
  @IsOptionalNonNull() @IsString() @NoNulChar() @MinLength(1) @MaxLength(200) title?: string;
  @IsOptionalNonNull() @IsString() @NoNulChar() @MinLength(1) @MaxLength(20_000) content?: string;
  @IsOptionalNonNull() @IsBoolean() is_show?: boolean;
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(-100_000) @Max(100_000) sort?: number;
}

// link_url is the one nullable banner column: null clears it.
class BannerDto {
  @IsOptionalNonNull() @IsString() @NoNulChar() @MaxLength(200) title?: string;
  @IsUrl(URL_OPTS) @NoNulChar() @MaxLength(2048) image_url!: string;
  @IsOptional() @IsUrl(URL_OPTS) @NoNulChar() @MaxLength(2048) link_url?: string | null;
  @IsOptionalNonNull() @IsString() @NoNulChar() @MaxLength(32) position?: string;
  @IsOptionalNonNull() @IsBoolean() is_show?: boolean;
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(-100_000) @Max(100_000) sort?: number;
}

class UpdateBannerDto {
  @IsOptionalNonNull() @IsString() @NoNulChar() @MaxLength(200) title?: string;
  @IsOptionalNonNull() @IsUrl(URL_OPTS) @NoNulChar() @MaxLength(2048) image_url?: string;
  @IsOptional() @IsUrl(URL_OPTS) @NoNulChar() @MaxLength(2048) link_url?: string | null;
  @IsOptionalNonNull() @IsString() @NoNulChar() @MaxLength(32) position?: string;
  @IsOptionalNonNull() @IsBoolean() is_show?: boolean;
  @IsOptionalNonNull() @Type(() => Number) @IsInt() @Min(-100_000) @Max(100_000) sort?: number;
}

class CouponQuery extends PageQuery {
  @IsOptional() @IsString() @NoNulChar() @MaxLength(32) status?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) player_id?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) agent_id?: number;
}

const messageView = (m: PlayerMessage) => ({
  id: m.id,
  brand_id: m.brandId,
  player_id: m.playerId,
  title: m.title,
  content: m.content,
  is_read: m.isRead,
  created_at: iso(m.createdAt),
});

const noticeView = (n: PlayerNotice) => ({
  id: n.id,
  brand_id: n.brandId,
  kind: n.kind,
  title: n.title,
  content: n.content,
  is_show: n.isShow,
  sort: n.sort,
  created_at: iso(n.createdAt),
});

const bannerView = (b: Banner) => ({
  id: b.id,
  brand_id: b.brandId,
  title: b.title,
  image_url: b.imageUrl,
  link_url: b.linkUrl,
  position: b.position,
  is_show: b.isShow,
  sort: b.sort,
  created_at: iso(b.createdAt),
});

const couponView = (c: Coupon) => ({
  id: c.id,
  brand_id: c.brandId,
  agent_id: c.agentId,
  player_id: c.playerId,
  amount: c.amount,
  status: c.status,
  remark: c.remark,
  expires_at: iso(c.expiresAt),
  used_at: iso(c.usedAt),
  recycled_at: iso(c.recycledAt),
  created_at: iso(c.createdAt),
});

const couponLogView = (l: CouponLog) => ({
  id: l.id,
  brand_id: l.brandId,
  coupon_id: l.couponId,
  agent_id: l.agentId,
  player_id: l.playerId,
  action: l.action,
  amount: l.amount,
  operator_id: l.operatorId,
  remark: l.remark,
  created_at: iso(l.createdAt),
});

const recycleLogView = (l: CouponRecycleLog) => ({
  id: l.id,
  brand_id: l.brandId,
  coupon_id: l.couponId,
  agent_id: l.agentId,
  player_id: l.playerId,
  amount: l.amount,
  reason: l.reason,
  operator_id: l.operatorId,
  created_at: iso(l.createdAt),
});

async function findIn<T extends BrandScopedEntity & { id: number }>(
  tx: BrandTx,
  entity: EntityClass<T>,
  id: number,
  what: string,
): Promise<T> {
  const row = await tx.repo(entity).queryBuilder('r').andWhere('r.id = :id', { id }).getOne();
  if (!row) throw new NotFoundError(`${what} not found`);
  return row;
}

/**
 * Keeps only the provided keys of a DTO, renamed to entity properties. A null
 * is kept (it clears the column): the DTOs admit null only for nullable columns.
 */
function patchOf(body: object, names: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [wire, prop] of Object.entries(names)) {
    const value = (body as Record<string, unknown>)[wire];
    if (value !== undefined) out[prop] = value;
  }
  return out;
}

const NOTICE_FIELDS = { kind: 'kind', title: 'title', content: 'content', is_show: 'isShow', sort: 'sort' };
const BANNER_FIELDS = {
  title: 'title',
  image_url: 'imageUrl',
  link_url: 'linkUrl',
  position: 'position',
  is_show: 'isShow',
  sort: 'sort',
};

@Controller('api/v1')
export class ContentController {
  constructor(
    private readonly db: Database,
    private readonly audit: AdminAuditService,
  ) {}

  @Get('messages')
  messages(@RequestBrand() brandId: BrandId, @Query() q: MessageQuery) {
    return brandPage(this.db, brandId, PlayerMessage, q, { player_id: q.player_id }, messageView);
  }

  @Post('messages')
  sendMessage(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Body() body: CreateMessageDto,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      await findIn(tx, Player, body.player_id, 'player');
      const result = await tx
        .repo(PlayerMessage)
        .insert({ playerId: body.player_id, title: body.title, content: body.content });
      const id = Number(result.identifiers[0].id);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'SEND_PLAYER_MESSAGE',
        resource: 'player_message',
        resourceId: id,
        payload: { player_id: body.player_id },
      });
      return ok(messageView(await findIn(tx, PlayerMessage, id, 'message')));
    });
  }

  @Delete('messages/:id')
  deleteMessage(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      if ((await tx.repo(PlayerMessage).delete({ id })) === 0) throw new NotFoundError('message not found');
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'DELETE_PLAYER_MESSAGE',
        resource: 'player_message',
        resourceId: id,
      });
      return ok({ id });
    });
  }

  @Get('notices')
  notices(@RequestBrand() brandId: BrandId, @Query() q: PageQuery) {
    return brandPage(this.db, brandId, PlayerNotice, q, {}, noticeView);
  }

  @Post('notices')
  createNotice(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Body() body: NoticeDto,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      const result = await tx
        .repo(PlayerNotice)
        .insert({ kind: 'notice', isShow: true, sort: 0, ...patchOf(body, NOTICE_FIELDS) });
      const id = Number(result.identifiers[0].id);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'CREATE_NOTICE',
        resource: 'player_notice',
        resourceId: id,
      });
      return ok(noticeView(await findIn(tx, PlayerNotice, id, 'notice')));
    });
  }

  @Patch('notices/:id')
  updateNotice(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdateNoticeDto,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      await findIn(tx, PlayerNotice, id, 'notice');
      const patch = patchOf(body, NOTICE_FIELDS);
      if (Object.keys(patch).length > 0) await tx.repo(PlayerNotice).update({ id }, patch);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'UPDATE_NOTICE',
        resource: 'player_notice',
        resourceId: id,
        payload: { fields: Object.keys(patch) },
      });
      return ok(noticeView(await findIn(tx, PlayerNotice, id, 'notice')));
    });
  }

  @Delete('notices/:id')
  deleteNotice(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      if ((await tx.repo(PlayerNotice).delete({ id })) === 0) throw new NotFoundError('notice not found');
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'DELETE_NOTICE',
        resource: 'player_notice',
        resourceId: id,
      });
      return ok({ id });
    });
  }

  @Get('banners')
  banners(@RequestBrand() brandId: BrandId, @Query() q: PageQuery) {
    return brandPage(this.db, brandId, Banner, q, {}, bannerView);
  }

  @Post('banners')
  createBanner(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Body() body: BannerDto,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      const result = await tx
        .repo(Banner)
        .insert({ title: '', position: 'home', isShow: true, sort: 0, ...patchOf(body, BANNER_FIELDS) });
      const id = Number(result.identifiers[0].id);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'CREATE_BANNER',
        resource: 'banner',
        resourceId: id,
      });
      return ok(bannerView(await findIn(tx, Banner, id, 'banner')));
    });
  }

  @Patch('banners/:id')
  updateBanner(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: UpdateBannerDto,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      await findIn(tx, Banner, id, 'banner');
      const patch = patchOf(body, BANNER_FIELDS);
      if (Object.keys(patch).length > 0) await tx.repo(Banner).update({ id }, patch);
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'UPDATE_BANNER',
        resource: 'banner',
        resourceId: id,
        payload: { fields: Object.keys(patch) },
      });
      return ok(bannerView(await findIn(tx, Banner, id, 'banner')));
    });
  }

  @Delete('banners/:id')
  deleteBanner(
    @CurrentOperator() operatorId: number,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
  ) {
    return this.db.brandTransaction(brandId, async (tx) => {
      if ((await tx.repo(Banner).delete({ id })) === 0) throw new NotFoundError('banner not found');
      await this.audit.write(tx.manager, {
        brandId,
        operatorId,
        action: 'DELETE_BANNER',
        resource: 'banner',
        resourceId: id,
      });
      return ok({ id });
    });
  }

  @Get('coupons')
  coupons(@RequestBrand() brandId: BrandId, @Query() q: CouponQuery) {
    const filters = { status: q.status, player_id: q.player_id, agent_id: q.agent_id };
    return brandPage(this.db, brandId, Coupon, q, filters, couponView);
  }

  @Get('coupons/logs')
  couponLogs(@RequestBrand() brandId: BrandId, @Query() q: CouponQuery) {
    return brandPage(
      this.db,
      brandId,
      CouponLog,
      q,
      { player_id: q.player_id, agent_id: q.agent_id },
      couponLogView,
    );
  }

  @Get('coupons/recycle-logs')
  recycleLogs(@RequestBrand() brandId: BrandId, @Query() q: CouponQuery) {
    const filters = { player_id: q.player_id, agent_id: q.agent_id };
    return brandPage(this.db, brandId, CouponRecycleLog, q, filters, recycleLogView);
  }
}
