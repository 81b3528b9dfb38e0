/**
 * `/agent/common/*` shared endpoints (seed 001) with the legacy
 * `/common/agent_min_withdrawal_limit`: per-brand values for the portal.
 * `/agent/common/brand` is public so the login page can show which brand the
 * domain belongs to.
 */
import { Controller, Injectable } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { Brand, type BrandId, Database } from '@app/database';
import { NotFoundError } from '@app/http';
import { RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { BrandSettings } from '../shared/brand-settings';

export class MinWithdrawalLimit {
  @ApiProperty({ example: '10000.00' }) min_withdrawal_limit!: string;
  @ApiProperty({ example: 'KRW' }) currency!: string;
}

export class BrandInfo {
  @ApiProperty() brand_id!: number;
  @ApiProperty() brand_code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'KRW' }) default_currency!: string;
}

@Injectable()
export class CommonService {
  constructor(
    private readonly db: Database,
    private readonly settings: BrandSettings,
  ) {}

  async brand(brandId: BrandId): Promise<BrandInfo> {
    const brand = await this.db.dataSource.manager.findOne(Brand, { where: { id: brandId } });
    if (!brand) throw new NotFoundError('brand not found');
    return {
      brand_id: brand.id,
      brand_code: brand.brandCode,
      name: brand.name,
      default_currency: brand.defaultCurrency,
    };
  }

  async minWithdrawalLimit(brandId: BrandId): Promise<MinWithdrawalLimit> {
    const [limit, brand] = await Promise.all([
      this.settings.agentMinWithdrawalLimit(brandId),
      this.brand(brandId),
    ]);
    return { min_withdrawal_limit: limit, currency: brand.default_currency };
  }
}

@ApiTags('common')
@Controller()
export class CommonController {
  constructor(private readonly common: CommonService) {}

  @Route('GET', 'agent/common/agent_min_withdrawal_limit', {
    summary: 'Smallest agent withdrawal request in this brand',
    data: MinWithdrawalLimit,
    legacy: ['common/agent_min_withdrawal_limit'],
  })
  minWithdrawalLimit(@RequestBrand() brandId: BrandId): Promise<MinWithdrawalLimit> {
    return this.common.minWithdrawalLimit(brandId);
  }

  @Route('GET', 'agent/common/brand', {
    summary: 'The brand of the request domain',
    data: BrandInfo,
    public: true,
  })
  brand(@RequestBrand() brandId: BrandId): Promise<BrandInfo> {
    return this.common.brand(brandId);
  }
}
