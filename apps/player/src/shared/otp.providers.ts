/**
 * One-time-code plumbing of the registration SMS and the OTP-gated profile
 * edits (seed 000 T1-D-C4: CSPRNG codes, hashed in Redis with a TTL and an
 * attempt limit, never logged outside RECOVERY_EXPOSE_TOKEN_FOR_TESTS=on).
 */
import { Logger, type Provider } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type PlayerConfig, SERVICE_NAME } from '@app/config';
import { CodeDelivery, FixedWindowRateLimiter, OtpStore } from '@app/recovery';
import { REDIS } from '@app/redis';
import { SmsClient } from '@app/sms';

export const PLAYER_OTP = Symbol('PLAYER_OTP');

export const OTP_PROVIDERS: Provider[] = [
  {
    provide: PLAYER_OTP,
    inject: [REDIS, APP_CONFIG],
    useFactory: (redis: Redis, config: PlayerConfig) =>
      new OtpStore(redis, {
        pepper: `otp:${config.PASSWORD_SALT ?? ''}`,
        ttlSeconds: config.SMS_CODE_TTL_SECONDS,
        maxAttempts: config.RECOVERY_MAX_ATTEMPTS,
      }),
  },
  {
    provide: CodeDelivery,
    inject: [APP_CONFIG, SERVICE_NAME, SmsClient],
    useFactory: (config: PlayerConfig, service: string, sms: SmsClient) =>
      new CodeDelivery({
        service,
        exposeForTests: config.RECOVERY_EXPOSE_TOKEN_FOR_TESTS === 'on',
        sms,
        logger: new Logger('CodeDelivery'),
      }),
  },
  {
    provide: FixedWindowRateLimiter,
    inject: [REDIS],
    useFactory: (redis: Redis) => new FixedWindowRateLimiter(redis),
  },
];
