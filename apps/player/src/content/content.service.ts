/**
 * Public player-side content (seed 000 "common notices, banners, captcha, and
 * site settings"; seed 004: content rows are brand-scoped, one announcement
 * no longer fans out to every brand): visible notices and banners of the
 * request brand, ordered by `sort` then newest, and `site_setting`, the
 * public brand configuration objects (frontend_config, the public part of
 * registration_policy, feature_policy, sms_policy) with their defaults.
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type PlayerConfig } from '@app/config';
import { asBrandId, Banner, Database, PlayerNotice } from '@app/database';
import { BrandPolicyService, PUBLIC_REGISTRATION_FIELDS } from '../shared/brand-policy.service';

export interface NoticeView {
  id: number;
  kind: string;
  title: string;
  content: string;
  sort: number;
  created_at: string;
}

export interface BannerView {
  id: number;
  title: string;
  image_url: string;
  link_url: string | null;
  position: string;
  sort: number;
}

@Injectable()
export class ContentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: PlayerConfig,
    private readonly db: Database,
    private readonly policies: BrandPolicyService,
  ) {}

  notices(brandId: number, kind?: string): Promise<NoticeView[]> {
    return this.db.brandTransaction(asBrandId(brandId), async (tx) => {
      const rows = await tx.repo(PlayerNotice).find(kind ? { isShow: true, kind } : { isShow: true }, { order: { sort: 'ASC', id: 'DESC' }, take: 200 });
      return rows.map((n) => ({ id: n.id, kind: n.kind, title: n.title, content: n.content, sort: n.sort, created_at: n.createdAt.toISOString() }));
    });
  }

  banners(brandId: number, position?: string): Promise<BannerView[]> {
    return this.db.brandTransaction(asBrandId(brandId), async (tx) => {
      const rows = await tx.repo(Banner).find(position ? { isShow: true, position } : { isShow: true }, { order: { sort: 'ASC', id: 'DESC' }, take: 200 });
      return rows.map((b) => ({ id: b.id, title: b.title, image_url: b.imageUrl, link_url: b.linkUrl, position: b.position, sort: b.sort }));
    });
  }

  async siteSetting(brandId: number): Promise<Record<string, unknown>> {
    const policies = await this.policies.policies(brandId);
    const registration = Object.fromEntries(PUBLIC_REGISTRATION_FIELDS.map((key) => [key, policies.registration[key]]));
    return {
      brand_id: brandId,
      brand: { brand_code: policies.brand.brand_code, name: policies.brand.name, default_currency: policies.brand.default_currency },
      frontend_config: policies.frontend,
      registration_policy: registration,
      feature_policy: policies.feature,
      sms_policy: { ...policies.sms, code_ttl_seconds: this.config.SMS_CODE_TTL_SECONDS },
    };
  }
}
