import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from './envelope';
import { DomainError } from './errors';
import { httpCodeFor, Status, Surface } from './status';

/** Decides which surface (frontend or internal codes) a request belongs to. */
export type SurfaceResolver = (url: string) => Surface;

const HTTP_TO_STATUS: Record<number, Status> = {
  400: Status.INVALID_INPUT,
  401: Status.AUTH_REQUIRED,
  403: Status.FORBIDDEN,
  404: Status.NOT_FOUND,
  405: Status.NOT_FOUND,
  409: Status.CONFLICT,
  413: Status.INVALID_INPUT,
  415: Status.INVALID_INPUT,
  422: Status.FAILED,
  429: Status.RATE_LIMITED,
  502: Status.DOWNSTREAM_UNAVAILABLE,
  503: Status.DOWNSTREAM_UNAVAILABLE,
  504: Status.DOWNSTREAM_UNAVAILABLE,
};

/**
 * PostgreSQL data exceptions raised by a value the client sent: a number out of range for its
 * column (22003, e.g. an id past bigint), text that is not of the column's type (22P02) or too long
 * for it (22001), a NUL character in text (22021), a \u0000 escape in jsonb (22P05), or a date or
 * time PostgreSQL cannot hold (22007, 22008: year 0, past 9999). They are bad input (status 2),
 * not a server fault, wherever a DTO let them through.
 */
const INPUT_SQLSTATES = new Set(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05']);

function inputSqlState(exception: unknown): string | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { code, name, severity } = exception as { code?: unknown; name?: unknown; severity?: unknown };
  // TypeORM's QueryFailedError copies the driver's fields; pg's own DatabaseError carries a severity.
  const fromDatabase = name === 'QueryFailedError' || typeof severity === 'string';
  return fromDatabase && typeof code === 'string' && INPUT_SQLSTATES.has(code) ? code : null;
}

/**
 * The one exception filter of an app. Typed domain errors keep their status;
 * framework HTTP errors (unknown route, malformed JSON, throttler) are mapped
 * to the catalog; anything else is a 500 whose body never carries the error
 * text, stack, SQL or secrets (it is logged instead).
 */
/**
 * The request's id and brand for the filter's log lines, from the request itself: apps without a
 * request context (the gateway) have no other source. Only fields the request has, so that a
 * request context's values are not overwritten with undefined.
 */
function requestLogFields(request: FastifyRequest | IncomingMessage): Record<string, unknown> {
  const raw = ('raw' in request ? request.raw : request) as IncomingMessage & { brandId?: number | null };
  const fields: Record<string, unknown> = {};
  const id = raw.headers?.['x-request-id'];
  if (typeof id === 'string') fields.request_id = id;
  if (raw.brandId !== undefined) fields.brand_id = raw.brandId;
  return fields;
}

@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  constructor(private readonly surfaceFor: SurfaceResolver) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      throw exception;
    }
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply | ServerResponse>();
    const request = ctx.getRequest<FastifyRequest | IncomingMessage>();
    const surface = this.surfaceFor(request.url ?? '/');

    if (exception instanceof DomainError) {
      this.send(
        reply,
        httpCodeFor(exception.status, surface),
        fail(exception.status, exception.message, exception.data),
      );
      return;
    }
    if (exception instanceof HttpException) {
      const code = exception.getStatus();
      const status = HTTP_TO_STATUS[code];
      if (status !== undefined) {
        this.send(reply, httpCodeFor(status, surface), fail(status));
        return;
      }
    }
    // Fastify's own errors (body too large, malformed JSON, bad media type) carry their HTTP code.
    const fastifyCode = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyCode === 'number' && HTTP_TO_STATUS[fastifyCode] !== undefined) {
      const status = HTTP_TO_STATUS[fastifyCode];
      this.send(reply, httpCodeFor(status, surface), fail(status));
      return;
    }
    const sqlState = inputSqlState(exception);
    if (sqlState !== null) {
      // The code only: the database's message quotes the value.
      this.logger.warn(
        { ...requestLogFields(request), sqlstate: sqlState },
        'input rejected by the database',
      );
      this.send(reply, httpCodeFor(Status.INVALID_INPUT, surface), fail(Status.INVALID_INPUT));
      return;
    }
    this.logger.error(
      {
        ...requestLogFields(request),
        err:
          exception instanceof Error
            ? { name: exception.name, message: exception.message, stack: exception.stack }
            : String(exception),
      },
      'unhandled error',
    );
    this.send(reply, 500, fail(Status.FAILED, 'internal error'));
  }

  /**
   * Errors thrown from Nest middleware arrive with the raw Node response
   * (middleware runs before Fastify wraps it); handler errors with Fastify's reply.
   */
  private send(reply: FastifyReply | ServerResponse, code: number, body: unknown): void {
    if ('status' in reply && typeof reply.status === 'function') {
      if ((reply as FastifyReply).sent) return;
      void (reply as FastifyReply)
        .status(code)
        .header('content-type', 'application/json; charset=utf-8')
        .send(body);
      return;
    }
    const raw = reply as ServerResponse;
    if (raw.headersSent || raw.writableEnded) return;
    raw.statusCode = code;
    raw.setHeader('content-type', 'application/json; charset=utf-8');
    raw.end(JSON.stringify(body));
  }
}

/** The surface resolver for an app whose every route uses one surface. */
export const always =
  (surface: Surface): SurfaceResolver =>
  () =>
    surface;
