/**
 * Wraps what an agent route returns in the CONTRACTS §2 envelope
 * (`{status: 0, msg: "ok", data}`), so handlers return plain data. Only
 * routes declared with `@Route` are wrapped; framework routes (`/metrics`
 * text, `/health`) keep their own bodies. Errors never pass here: the
 * exception filter builds their envelope.
 */
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { type Envelope, ok } from '@app/http';
import { IS_PUBLIC } from './route';

@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (
      context.getType() !== 'http' ||
      this.reflector.get<boolean | undefined>(IS_PUBLIC, context.getHandler()) === undefined
    ) {
      return next.handle();
    }
    return next.handle().pipe(map((data: unknown): Envelope => ok(data ?? null)));
  }
}
