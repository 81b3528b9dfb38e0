import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { CallerService } from '@app/config';
import { type HeaderBag, InternalTokenVerifier } from './internal-token';

/**
 * Nest wiring for per-caller internal tokens (ADR-009; CONTRACTS §3): each
 * internal route declares who may call it with `@InternalCallers(...)`, the
 * guard authenticates the caller through the injected `InternalTokenVerifier`
 * and leaves the caller on `request.callerService`. A guarded route with no
 * declaration is refused (fail closed) rather than open to every caller.
 * Configuration arrives through DI only, never from `process.env`.
 */

export const INTERNAL_TOKEN_VERIFIER = Symbol('INTERNAL_TOKEN_VERIFIER');
export const INTERNAL_CALLERS_KEY = 'auth:internal_callers';

/** Names the callers allowed on a handler or controller (the handler's list wins). */
export const InternalCallers = (...callers: CallerService[]) => SetMetadata(INTERNAL_CALLERS_KEY, callers);

export interface InternalRequest {
  headers: HeaderBag;
  callerService?: CallerService;
}

@Injectable()
export class InternalTokenGuard implements CanActivate {
  constructor(
    @Inject(INTERNAL_TOKEN_VERIFIER) private readonly verifier: InternalTokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const callers = this.reflector.getAllAndOverride<CallerService[] | undefined>(INTERNAL_CALLERS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!callers || callers.length === 0) this.verifier.reject('no_callers_declared');
    const request = context.switchToHttp().getRequest<InternalRequest>();
    request.callerService = this.verifier.verify(request.headers, callers);
    return true;
  }
}

/** The caller authenticated by `InternalTokenGuard`, as a handler parameter. */
export const CurrentCaller = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CallerService | undefined =>
    context.switchToHttp().getRequest<InternalRequest>().callerService,
);
