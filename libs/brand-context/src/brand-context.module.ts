import { DynamicModule, Global, Module } from '@nestjs/common';
import { BrandContextService } from './brand-context';
import { DOMAIN_CACHE_TTL_MS, DomainMapResolver } from './domain-map';
import { BrandEnforcement } from './enforcement';
import { BrandHeaderGuard } from './brand-header.guard';

/** Brand context, enforcement decisions and the domain-map resolver for one app. */
@Global()
@Module({})
export class BrandContextModule {
  static forRoot(options: { domainCacheTtlSeconds?: number } = {}): DynamicModule {
    const providers = [
      BrandContextService,
      BrandEnforcement,
      BrandHeaderGuard,
      DomainMapResolver,
      { provide: DOMAIN_CACHE_TTL_MS, useValue: (options.domainCacheTtlSeconds ?? 5) * 1000 },
    ];
    return { module: BrandContextModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}
