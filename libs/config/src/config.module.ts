import { DynamicModule, Global, Module } from '@nestjs/common';
import type { EnforcementMode } from './env';
import type { CommonConfig } from './schema';
import { SERVICE_LABEL, type ServiceName } from './load';
import { isProductionEnv } from './env';

/** Injection tokens: the validated config, the service label, the enforcement mode. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const ENFORCEMENT_MODE = Symbol('ENFORCEMENT_MODE');
export const IS_PRODUCTION = Symbol('IS_PRODUCTION');

/**
 * Makes the config read in main.ts injectable. The enforcement mode is its
 * own provider so guards depend on the mode, not on process.env (STYLE.md).
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(service: ServiceName, config: CommonConfig): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: config },
      { provide: SERVICE_NAME, useValue: SERVICE_LABEL[service] },
      { provide: ENFORCEMENT_MODE, useValue: config.MULTI_BRAND_ENFORCEMENT as EnforcementMode },
      {
        provide: IS_PRODUCTION,
        useValue: isProductionEnv({ RGB_ENV: config.RGB_ENV, APP_ENV: config.APP_ENV, ENVIRONMENT: config.ENVIRONMENT }),
      },
    ];
    return { module: AppConfigModule, providers, exports: providers.map((p) => p.provide) };
  }
}
