/** Brand catalog routes (CONTRACTS §7, seed 004); global, not brand-scoped. */
import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Transform } from 'class-transformer';
import { ok } from '@app/http';
import { CurrentOperator } from '../auth/admin-auth.guard';
import { IsOptionalNonNull, NoNulChar } from '../common/validation';
import { BRAND_CODE_PATTERN } from './brand-code';
import { BrandsService } from './brands.service';

const lowerTrim = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
const upperTrim = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));
// The name is stored trimmed, so a whitespace-only name must fail MinLength(1) here rather than be stored as "".
const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

class CreateBrandDto {
  @lowerTrim() @IsString() @Matches(BRAND_CODE_PATTERN) brand_code!: string;
  @trim() @IsString() @NoNulChar() @MinLength(1) @MaxLength(128) name!: string;
  @upperTrim() @IsString() @Matches(/^[A-Z]{3,5}$/) default_currency!: string;
}

// Every brand column is NOT NULL: null is refused like any other bad value.
class UpdateBrandDto {
  @IsOptionalNonNull() @trim() @IsString() @NoNulChar() @MinLength(1) @MaxLength(128) name?: string;
  @IsOptionalNonNull() @upperTrim() @IsString() @Matches(/^[A-Z]{3,5}$/) default_currency?: string;
  @IsOptionalNonNull() @IsIn(['enabled', 'disabled']) status?: 'enabled' | 'disabled';
}

@Controller('api/v1/brands')
export class BrandsController {
  constructor(private readonly brands: BrandsService) {}

  @Post()
  async create(@CurrentOperator() operatorId: number, @Body() body: CreateBrandDto) {
    return ok(await this.brands.create(operatorId, body));
  }

  @Get()
  async list() {
    return ok(await this.brands.list());
  }

  @Get(':brand_id')
  async get(@Param('brand_id', ParseIntPipe) id: number) {
    return ok(await this.brands.get(id));
  }

  @Patch(':brand_id')
  async update(
    @CurrentOperator() operatorId: number,
    @Param('brand_id', ParseIntPipe) id: number,
    @Body() body: UpdateBrandDto,
  ) {
    return ok(await this.brands.update(operatorId, id, body));
  }

  @Post(':brand_id/enable')
  @HttpCode(200)
  async enable(@CurrentOperator() operatorId: number, @Param('brand_id', ParseIntPipe) id: number) {
    return ok(await this.brands.update(operatorId, id, { status: 'enabled' }));
  }

  @Post(':brand_id/disable')
  @HttpCode(200)
  async disable(@CurrentOperator() operatorId: number, @Param('brand_id', ParseIntPipe) id: number) {
    return ok(await this.brands.update(operatorId, id, { status: 'disabled' }));
  }
}
