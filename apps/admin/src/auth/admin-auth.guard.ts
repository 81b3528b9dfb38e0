/**
 * Every /api/v1/* route requires the admin JWT (401 status 3) except the
 * ones marked @Public() (login). The guard is global so a new controller is
 * protected by default; it leaves the resolved identity on the request for
 * @CurrentOperator(). Paths outside /api/v1 (health, metrics, /internal/meta)
 * have their own authentication.
 */
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OperatorIdRequiredError } from '@app/http';
import { type AdminIdentity, AdminIdentityService, bearerToken } from './admin-identity';
import { OPERATOR_HEADER } from './operator-id';

export const ADMIN_PUBLIC = 'admin:public';
export const Public = () => SetMetadata(ADMIN_PUBLIC, true);

export const API_PREFIX = '/api/v1/';

interface AdminRequest {
  /** Fastify's matched route: `url` is its template (e.g. `/api/v1/brands/:id`). */
  routeOptions?: { url?: string };
  headers: Record<string, string | string[] | undefined>;
  adminIdentity?: AdminIdentity;
}

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identities: AdminIdentityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AdminRequest>();
    // The matched route's template, never the raw URL: the router decodes %xx before matching, so
    // `/%61pi/v1/brands` reaches an /api/v1 handler although its raw URL does not start with /api/v1.
    // A request without a template fails closed (the JWT is required).
    const template = request.routeOptions?.url;
    if (template !== undefined && !template.startsWith(API_PREFIX)) return true;
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    request.adminIdentity = await this.identities.authenticate(
      bearerToken(request.headers.authorization),
      request.headers[OPERATOR_HEADER],
    );
    return true;
  }
}

/** The JWT-bound operator id of the request (what every audit row records). */
export const CurrentOperator = createParamDecorator((_data: unknown, context: ExecutionContext): number => {
  const identity = context.switchToHttp().getRequest<AdminRequest>().adminIdentity;
  if (!identity) throw new OperatorIdRequiredError();
  return identity.operatorId;
});
