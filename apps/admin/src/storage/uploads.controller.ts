/**
 * `POST /api/v1/uploads`: banner and notice images for one brand (seed 004:
 * public content rows are brand-scoped; dependency "R2-compatible object
 * storage"). A JSON body with base64 content keeps the route free of a
 * multipart parser; the decoded image is capped at MAX_IMAGE_BYTES and its
 * bytes must match the declared type. Objects land under
 * `brands/{brand_id}/{kind}/{yyyy}/{mm}/{uuid}.{ext}`, so one brand's
 * uploads never overwrite another's and keys are not guessable. Admin JWT
 * (global AdminAuthGuard) and a resolved brand (status 54 otherwise) are
 * required; the operator id is stored as object metadata and logged.
 */
import { Body, Controller, HttpCode, Logger, Post } from '@nestjs/common';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { randomUUID } from 'node:crypto';
import type { BrandId } from '@app/database';
import { type Envelope, InvalidInputError, ok } from '@app/http';
import { CurrentOperator } from '../auth';
import { RequestBrand } from '../common/request-context';
import {
  decodeBase64Image,
  IMAGE_CONTENT_TYPES,
  IMAGE_TYPES,
  type ImageContentType,
  sniffImageType,
} from './image-type';
import { ObjectStorage } from './object-storage.service';

export const UPLOADS_PATH = '/api/v1/uploads';
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** base64 of MAX_IMAGE_BYTES, plus room for a data: prefix. */
export const MAX_BASE64_CHARS = Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 64;
export const UPLOAD_KINDS = ['banner', 'notice'] as const;

export class UploadImageDto {
  @IsIn(UPLOAD_KINDS)
  kind!: (typeof UPLOAD_KINDS)[number];

  @IsIn(IMAGE_CONTENT_TYPES)
  content_type!: ImageContentType;

  @IsString()
  @MaxLength(MAX_BASE64_CHARS)
  content_base64!: string;
}

export interface UploadedImage {
  key: string;
  url: string;
  content_type: ImageContentType;
  size: number;
  brand_id: number;
}

@Controller(UPLOADS_PATH.slice(1))
export class UploadsController {
  private readonly logger = new Logger('AdminUploads');

  constructor(private readonly storage: ObjectStorage) {}

  @Post()
  @HttpCode(201)
  async upload(
    @Body() body: UploadImageDto,
    @RequestBrand() brandId: BrandId,
    @CurrentOperator() operatorId: number,
  ): Promise<Envelope<UploadedImage>> {
    const bytes = decodeBase64Image(body.content_base64, body.content_type);
    if (bytes === null)
      throw new InvalidInputError('content_base64 is not valid base64', { content_base64: ['isBase64'] });
    if (bytes.length > MAX_IMAGE_BYTES) {
      throw new InvalidInputError(`image is larger than ${MAX_IMAGE_BYTES} bytes`, {
        content_base64: ['maxSize'],
      });
    }
    if (sniffImageType(bytes) !== body.content_type) {
      throw new InvalidInputError('content does not match content_type', {
        content_type: ['matchesContent'],
      });
    }
    const now = new Date();
    const month = String(now.getUTCMonth() + 1).padStart(2, '0');
    const key = `brands/${brandId}/${body.kind}/${now.getUTCFullYear()}/${month}/${randomUUID()}.${IMAGE_TYPES[body.content_type]}`;
    const stored = await this.storage.putObject(key, bytes, body.content_type, {
      'brand-id': String(brandId),
      'operator-id': String(operatorId),
    });
    this.logger.log(
      { brand_id: brandId, operator_id: operatorId, key, size: bytes.length },
      'image uploaded',
    );
    return ok({
      key: stored.key,
      url: stored.url,
      content_type: body.content_type,
      size: bytes.length,
      brand_id: brandId,
    });
  }
}
