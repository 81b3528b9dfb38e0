/**
 * The S3-compatible object store (seed 004 dependency "Cloudflare
 * R2-compatible object storage"), through the maintained AWS SDK v3 client
 * and configured only from the validated env: S3_ENDPOINT (path-style
 * addressing for any custom endpoint, as R2 / MinIO expect), S3_REGION
 * (`auto` when unset, R2's value), S3_BUCKET, S3_ACCESS_KEY_ID,
 * S3_SECRET_ACCESS_KEY and S3_PUBLIC_BASE_URL for the URLs handed back.
 * Checksums are sent only when an operation requires them: several
 * S3-compatible stores reject the SDK's newer default trailing checksums.
 * A store failure is status 7 (downstream unavailable); the SDK's error text
 * is logged, never returned.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type AdminConfig, APP_CONFIG } from '@app/config';
import { HealthRegistry } from '@app/health';
import { DownstreamUnavailableError } from '@app/http';

export interface StoredObject {
  key: string;
  url: string;
  etag: string | null;
}

interface Settings {
  bucket: string;
  endpoint?: string;
  publicBaseUrl: string;
}

@Injectable()
export class ObjectStorage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ObjectStorage');
  private readonly client: S3Client | null;
  private readonly settings: Settings | null;

  constructor(
    @Inject(APP_CONFIG) config: AdminConfig,
    private readonly health: HealthRegistry,
  ) {
    const {
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
    } = config;
    if (!bucket || !accessKeyId || !secretAccessKey) {
      this.client = null;
      this.settings = null;
      return;
    }
    const endpoint = config.S3_ENDPOINT?.replace(/\/+$/, '');
    const region = config.S3_REGION ?? 'auto';
    this.client = new S3Client({
      region,
      endpoint,
      forcePathStyle: endpoint !== undefined,
      credentials: { accessKeyId, secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
    });
    const publicBaseUrl =
      config.S3_PUBLIC_BASE_URL?.replace(/\/+$/, '') ??
      (endpoint ? `${endpoint}/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com`);
    this.settings = { bucket, endpoint, publicBaseUrl };
  }

  onModuleInit(): void {
    this.health.setInfo('object_storage', () => (this.client ? 'configured' : 'unconfigured'));
  }

  get configured(): boolean {
    return this.client !== null;
  }

  async putObject(
    key: string,
    body: Buffer,
    contentType: string,
    metadata: Record<string, string> = {},
  ): Promise<StoredObject> {
    if (!this.client || !this.settings)
      throw new DownstreamUnavailableError('object storage is not configured');
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.settings.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
          CacheControl: 'public, max-age=31536000, immutable',
          Metadata: metadata,
        }),
      );
      return { key, url: `${this.settings.publicBaseUrl}/${key}`, etag: out.ETag ?? null };
    } catch (err) {
      this.logger.error(
        { key, err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
        'object storage put failed',
      );
      throw new DownstreamUnavailableError('object storage unavailable');
    }
  }

  onApplicationShutdown(): void {
    this.client?.destroy();
  }
}
