import { DynamicModule, Global, Module } from '@nestjs/common';
import type { RecoveryConfig } from '@app/config';
import { SmsClient } from './sms-client';

/**
 * Nest wiring for the SMS client: built once from the validated recovery
 * config (SMS_* and COOLSMS_* variables), injectable as `SmsClient`.
 */
export function smsClientFromConfig(config: RecoveryConfig, fetchImpl?: typeof fetch): SmsClient {
  return new SmsClient({
    url: config.SMS_URL,
    platform: config.SMS_PLATFORM,
    apiKey: config.COOLSMS_API_KEY,
    apiSecret: config.COOLSMS_API_SECRET,
    from: config.COOLSMS_FROM,
    timeoutMs: config.SMS_TIMEOUT_MS,
    fetchImpl,
  });
}

@Global()
@Module({})
export class SmsModule {
  static forRoot(config: RecoveryConfig): DynamicModule {
    const provider = { provide: SmsClient, useValue: smsClientFromConfig(config) };
    return { module: SmsModule, providers: [provider], exports: [SmsClient] };
  }
}
