import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { ENFORCEMENT_MODES, type EnforcementMode, parseOnOff } from './env';

const ON_OFF = ['on', 'off'] as const;
export type OnOff = (typeof ON_OFF)[number];

const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
const lower = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
/** Booleans in env files come as on/off, true/false, 1/0. */
const onOff = () => Transform(({ value }) => parseOnOff(value) ?? undefined);
const URL_OPTS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * Variables every process reads. Secrets stay strings here; their shape is
 * checked by the boot guards (guards.ts) so that the refusal line names them.
 */
export class CommonConfig {
  @lower()
  @IsIn(ENFORCEMENT_MODES as unknown as string[], { message: 'must be one of off, observe, enforce' })
  MULTI_BRAND_ENFORCEMENT!: EnforcementMode;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  @trim()
  @IsString()
  HOST = '0.0.0.0';

  @trim()
  @IsString()
  REDIS_URL = 'redis://127.0.0.1:6379';

  @lower()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsOptional() @IsString() RGB_ENV?: string;
  @IsOptional() @IsString() APP_ENV?: string;
  @IsOptional() @IsString() ENVIRONMENT?: string;

  /** Legacy shared internal token; deprecated (the release gate refuses it). */
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_GATEWAY?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_AGENT?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_ADMIN?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_RECON?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_GAME?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_PROMOTION?: string;
  @IsOptional() @IsString() INTERNAL_SERVICE_TOKEN_ROLLING?: string;

  @onOff()
  @IsIn(ON_OFF as unknown as string[])
  PER_CALLER_TOKEN_REQUIRED: OnOff = 'off';

  /** JSON {kid: PEM} of accepted RS256 public keys. */
  @IsOptional() @IsString() JWT_PUBLIC_KEYS?: string;
  /** PEM private key of an issuer. */
  @IsOptional() @IsString() JWT_PRIVATE_KEY?: string;
  @IsOptional() @trim() @IsString() JWT_KID?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60 * 24 * 30)
  JWT_EXPIRE_MIN = 60;

  /** HMAC key for X-Brand-Signature on wallet writes. */
  @IsOptional() @IsString() BRAND_SIGNING_KEY?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  BRAND_SIGNATURE_SKEW_SECONDS = 300;

  /** Legacy session-cookie material; no JWT uses it. */
  @IsOptional() @IsString() SECRET_KEY?: string;

  @onOff()
  @IsIn(ON_OFF as unknown as string[])
  RECOVERY_EXPOSE_TOKEN_FOR_TESTS: OnOff = 'off';

  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  DOWNSTREAM_TIMEOUT_MS = 5000;
}

/** Processes with a database: the APIs with PII and their workers. */
export class DatabaseConfig extends CommonConfig {
  /**
   * The app role (issue #8): owns no table, no SUPERUSER, no BYPASSRLS, so
   * row-level security applies; the apps refuse to boot as anything else.
   */
  @trim()
  @IsString()
  DATABASE_URL = 'postgres://servers_v2_app@127.0.0.1:5432/servers_v2';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  /** Raw bytes of the value: exactly 32 (AES-256). */
  @IsOptional() @IsString() AES_KEY?: string;
  /** Raw bytes of the value: exactly 16; only for legacy CBC reads. */
  @IsOptional() @IsString() AES_IV?: string;

  @onOff()
  @IsIn(ON_OFF as unknown as string[])
  AES_STRICT_DECRYPT: OnOff = 'off';

  /** Pepper mixed into every password hash. */
  @IsOptional() @IsString() PASSWORD_SALT?: string;

  @onOff()
  @IsIn(ON_OFF as unknown as string[])
  ENABLE_OUTBOX_POLLER: OnOff = 'off';

  @IsOptional() @IsString() WORKER_HEARTBEAT_FILE?: string;

  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) OUTBOX_BATCH_SIZE = 500;
  @Type(() => Number) @IsInt() @Min(10) @Max(60_000) OUTBOX_POLL_INTERVAL_MS = 200;
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) OUTBOX_MAX_ATTEMPTS = 10;
  @Type(() => Number) @IsInt() @Min(1) @Max(3600) OUTBOX_LEASE_SECONDS = 30;
}

/** Services that send recovery / OTP SMS (player and agent). */
export class RecoveryConfig extends DatabaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1440)
  RECOVERY_TOKEN_TTL_MINUTES = 15;

  @Type(() => Number) @IsInt() @Min(1) @Max(20) RECOVERY_MAX_ATTEMPTS = 5;
  @Type(() => Number) @IsInt() @Min(1) @Max(1000) RECOVERY_RATE_LIMIT_PER_CONTACT = 5;
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) RECOVERY_RATE_LIMIT_PER_IP = 20;
  @Type(() => Number) @IsInt() @Min(60) @Max(86_400) RECOVERY_RATE_LIMIT_WINDOW_SECONDS = 3600;
  @Type(() => Number) @IsInt() @Min(30) @Max(3600) SMS_CODE_TTL_SECONDS = 300;

  @IsOptional() @IsUrl(URL_OPTS) SMS_URL?: string;
  @IsOptional() @IsString() SMS_PLATFORM?: string;
  @IsOptional() @IsString() COOLSMS_API_KEY?: string;
  @IsOptional() @IsString() COOLSMS_API_SECRET?: string;
  @IsOptional() @IsString() COOLSMS_FROM?: string;
  @Type(() => Number) @IsInt() @Min(100) @Max(60_000) SMS_TIMEOUT_MS = 5000;
}

export class GatewayConfig extends CommonConfig {
  override PORT = 3000;
  @IsUrl(URL_OPTS) PLAYER_SERVICE_URL = 'http://127.0.0.1:3001';
  @IsUrl(URL_OPTS) WALLET_SERVICE_URL = 'http://127.0.0.1:3101';
  @IsUrl(URL_OPTS) GAME_SERVICE_URL = 'http://127.0.0.1:3102';
  @IsUrl(URL_OPTS) ROLLING_SERVICE_URL = 'http://127.0.0.1:3103';
  @IsUrl(URL_OPTS) PROMOTION_SERVICE_URL = 'http://127.0.0.1:3104';
  @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) RATE_LIMIT_PER_MINUTE = 600;
  /** A mounted JSON {kid: PEM} file re-read on each jwt_public_keys_changed message (hot rotation). */
  @IsOptional() @IsString() JWT_PUBLIC_KEYS_FILE?: string;
  /** Seconds a resolved domain stays cached in process. */
  @Type(() => Number) @IsInt() @Min(0) @Max(3600) DOMAIN_CACHE_TTL_SECONDS = 5;
  /**
   * Longest a matching session stays remembered in process (Redis announces every change of a
   * session key, which drops it at once; this bounds an entry whatever happens). 0 = off.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(60_000) SESSION_CACHE_TTL_MS = 2000;
}

export class PlayerConfig extends RecoveryConfig {
  override PORT = 3001;
}

export class PlayerWorkerConfig extends DatabaseConfig {
  override PORT = 3011;
  override ENABLE_OUTBOX_POLLER: OnOff = 'on';
}

export class AgentConfig extends RecoveryConfig {
  override PORT = 3002;
  @Type(() => Number) @IsInt() @Min(0) @Max(3600) AGENT_BRAND_CACHE_TTL_SECONDS = 60;
  @Type(() => Number) @IsInt() @Min(0) @Max(3600) DOMAIN_CACHE_TTL_SECONDS = 5;
  /** Reserved by the seed; no runtime calls. */
  @IsOptional() @IsString() ADMIN_SERVER_HOST?: string;
}

export class AgentWorkerConfig extends DatabaseConfig {
  override PORT = 3012;
  override ENABLE_OUTBOX_POLLER: OnOff = 'on';
}

export class AdminConfig extends DatabaseConfig {
  override PORT = 3003;
  @IsUrl(URL_OPTS) WALLET_SERVICE_URL = 'http://127.0.0.1:3101';
  @IsUrl(URL_OPTS) ROLLING_SERVICE_URL = 'http://127.0.0.1:3103';
  @IsUrl(URL_OPTS) PROMOTION_SERVICE_URL = 'http://127.0.0.1:3104';
  @IsUrl(URL_OPTS) RECON_SERVICE_URL = 'http://127.0.0.1:3105';
  @onOff() @IsIn(ON_OFF as unknown as string[]) ADMIN_WS_ALLOW_QUERY_TOKEN: OnOff = 'off';
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) ADMIN_WS_RATE_LIMIT_PER_MIN = 20;
  @IsOptional() @IsUrl(URL_OPTS) S3_ENDPOINT?: string;
  @IsOptional() @IsString() S3_REGION?: string;
  @IsOptional() @IsString() S3_BUCKET?: string;
  @IsOptional() @IsString() S3_ACCESS_KEY_ID?: string;
  @IsOptional() @IsString() S3_SECRET_ACCESS_KEY?: string;
  @IsOptional() @IsUrl(URL_OPTS) S3_PUBLIC_BASE_URL?: string;
}

export class AdminWorkerConfig extends DatabaseConfig {
  override PORT = 3013;
  @IsOptional() @IsUrl(URL_OPTS) VERA_SYNC_URL?: string;
  @IsOptional() @IsString() ADMIN_WORKER_TIMEZONE?: string;

  /** statement_timeout of every job transaction: a job never runs one statement for longer. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  ADMIN_WORKER_STATEMENT_TIMEOUT_MS = 60_000;

  /** lock_timeout of every job transaction: a job waiting on another session's lock fails instead of hanging. */
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  ADMIN_WORKER_LOCK_TIMEOUT_MS = 10_000;
}

/**
 * Operator tools only (the CLI's migrate, migrate:revert, db:setup and data
 * fixes), never an app: the table owner that runs migrations, and a
 * superuser connection used once to create the two roles and the database.
 */
export class DatabaseToolConfig extends DatabaseConfig {
  /** The table owner (BYPASSRLS); runs migrations and operator data fixes. */
  @trim()
  @IsString()
  MIGRATION_DATABASE_URL = 'postgres://servers_v2_owner@127.0.0.1:5432/servers_v2';

  /** A superuser, for `db:setup` only (creates the owner and app roles and the database). */
  @trim()
  @IsString()
  DATABASE_SUPERUSER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
}
