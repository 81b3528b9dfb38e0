import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type CommonConfig, parsePublicKeys } from '@app/config';
import { HealthRegistry } from '@app/health';

/**
 * Default `/health` info fields of every app: the active signing kid
 * (`jwt_kid`, CONTRACTS §8) and the kids its verifier accepts (`jwt_kids`,
 * read by the rotate-jwt-kid tool). Apps with hot-reloaded keys override
 * `jwt_kids` with their live key ring.
 */
@Injectable()
export class HealthInfoDefaults implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(APP_CONFIG) private readonly config: CommonConfig,
  ) {}

  onModuleInit(): void {
    const kid = this.config.JWT_KID ?? null;
    const kids = [...parsePublicKeys(this.config.JWT_PUBLIC_KEYS).keys()];
    this.registry.setInfo('jwt_kid', () => kid);
    this.registry.setInfo('jwt_kids', () => kids);
  }
}
