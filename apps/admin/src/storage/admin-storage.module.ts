/**
 * Object storage for admin content images (seed 004 dependency
 * "Cloudflare R2-compatible object storage"). The upload route needs a
 * bigger body than the app-wide 1 MiB limit; that larger limit is set on
 * this one route only (Fastify `onRoute`, before routes are registered at
 * init), so every other admin route keeps the small limit.
 */
import { Injectable, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ObjectStorage } from './object-storage.service';
import { MAX_BASE64_CHARS, UPLOADS_PATH, UploadsController } from './uploads.controller';

/** JSON envelope around the base64 payload. */
export const UPLOAD_BODY_LIMIT_BYTES = MAX_BASE64_CHARS + 16 * 1024;

@Injectable()
export class UploadBodyLimit {
  constructor(host: HttpAdapterHost) {
    const fastify = host.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    fastify?.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (route.url === UPLOADS_PATH && methods.includes('POST')) route.bodyLimit = UPLOAD_BODY_LIMIT_BYTES;
    });
  }
}

@Module({
  controllers: [UploadsController],
  providers: [ObjectStorage, UploadBodyLimit],
  exports: [ObjectStorage],
})
export class AdminStorageModule {}
