/**
 * Admin authentication, reusable by every admin surface (HTTP routes and the
 * WebSocket gateway): the RS256 issuer/verifier, the password hasher, the
 * identity service (JWT + require_operator_id) and the global guard.
 */
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type AdminConfig, IS_PRODUCTION, SERVICE_NAME } from '@app/config';
import { type JwtIssuer, type JwtVerifier, PasswordHasher } from '@app/auth';
import { HealthRegistry } from '@app/health';
import { ADMIN_JWT_VERIFIER, AdminIdentityService } from './admin-identity';
import { AdminAuthGuard } from './admin-auth.guard';
import { buildAdminJwt, type AdminJwtKeys } from './admin-jwt';
import { ADMIN_JWT_ISSUER, ADMIN_PASSWORD_HASHER, AuthService } from './auth.service';
import { AuthController } from './auth.controller';

const ADMIN_JWT_KEYS = Symbol('ADMIN_JWT_KEYS');

/** `/health` shows the kid admin signs with and the kids it accepts, dev keys included (CONTRACTS §8). */
@Injectable()
class AdminJwtHealthInfo implements OnApplicationBootstrap {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(ADMIN_JWT_ISSUER) private readonly issuer: JwtIssuer,
    @Inject(ADMIN_JWT_VERIFIER) private readonly verifier: JwtVerifier,
  ) {}

  onApplicationBootstrap(): void {
    this.health.setInfo('jwt_kid', () => this.issuer.kid);
    this.health.setInfo('jwt_kids', () => this.verifier.kids);
  }
}

@Module({})
export class AdminAuthModule {
  static forRoot(config: AdminConfig): DynamicModule {
    const providers = [
      {
        provide: ADMIN_JWT_KEYS,
        inject: [IS_PRODUCTION, SERVICE_NAME],
        useFactory: (production: boolean, service: string) => buildAdminJwt(config, production, service),
      },
      {
        provide: ADMIN_JWT_ISSUER,
        inject: [ADMIN_JWT_KEYS],
        useFactory: (keys: AdminJwtKeys) => keys.issuer,
      },
      {
        provide: ADMIN_JWT_VERIFIER,
        inject: [ADMIN_JWT_KEYS],
        useFactory: (keys: AdminJwtKeys) => keys.verifier,
      },
      {
        provide: ADMIN_PASSWORD_HASHER,
        useFactory: () => new PasswordHasher({ pepper: config.PASSWORD_SALT ?? '' }),
      },
      AdminIdentityService,
      AuthService,
      AdminJwtHealthInfo,
      { provide: APP_GUARD, useClass: AdminAuthGuard },
    ];
    return {
      module: AdminAuthModule,
      global: true,
      controllers: [AuthController],
      providers,
      exports: [ADMIN_JWT_ISSUER, ADMIN_JWT_VERIFIER, ADMIN_PASSWORD_HASHER, AdminIdentityService],
    };
  }
}
