/**
 * POST /api/v1/auth/login (CONTRACTS §7): account + password → an RS256
 * admin token carrying `admin_id` (seed 004 T6-B1). A wrong password, an
 * unknown account and a disabled operator all answer the same status 1, and
 * an unknown account still costs one hash so timing does not tell them apart.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtIssuer, PasswordHasher } from '@app/auth';
import { BusinessRuleError } from '@app/http';
import { Database } from '@app/database';
import { findOperatorByAccount } from './operators';

export const ADMIN_JWT_ISSUER = Symbol('ADMIN_JWT_ISSUER');
export const ADMIN_PASSWORD_HASHER = Symbol('ADMIN_PASSWORD_HASHER');

export interface LoginResult {
  token: string;
  expires_in: number;
  admin_id: number;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger('AdminAuth');
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly db: Database,
    @Inject(ADMIN_JWT_ISSUER) private readonly issuer: JwtIssuer,
    @Inject(ADMIN_PASSWORD_HASHER) private readonly hasher: PasswordHasher,
  ) {}

  async login(account: string, password: string): Promise<LoginResult> {
    const operator = await findOperatorByAccount(this.db.dataSource, account);
    this.dummyHash ??= this.hasher.hash('timing-equaliser');
    const valid = await this.hasher.verify(password, operator?.passwordHash ?? (await this.dummyHash));
    if (!operator || !valid || operator.status !== 'enabled') {
      this.logger.warn(
        { reason: operator ? 'bad_credentials_or_disabled' : 'unknown_account' },
        'admin login refused',
      );
      throw new BusinessRuleError('invalid account or password');
    }
    await this.db.dataSource.query(`UPDATE admin_operator SET last_login_at = now() WHERE id = $1`, [
      operator.id,
    ]);
    const issued = await this.issuer.signAdmin({ adminId: operator.id });
    return { token: issued.token, expires_in: issued.expiresIn, admin_id: operator.id };
  }
}
