import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { IsString, MaxLength } from 'class-validator';
import { ok, fail } from './envelope';
import {
  BrandMismatchError,
  BusinessRuleError,
  DomainError,
  InvalidInputError,
  AuthRequiredError,
} from './errors';
import { always, EnvelopeExceptionFilter } from './exception.filter';
import { httpCodeFor, Status } from './status';
import { envelopeValidationPipe } from './validation';

function hostFor(url = '/x') {
  const sent: { code?: number; body?: unknown } = {};
  const reply = {
    sent: false,
    status(code: number) {
      sent.code = code;
      return this;
    },
    header() {
      return this;
    },
    send(body: unknown) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ url }) }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('status catalog', () => {
  it('answers HTTP 200 for status 3 on frontend routes and 401 on internal ones', () => {
    expect(httpCodeFor(Status.AUTH_REQUIRED, 'frontend')).toBe(200);
    expect(httpCodeFor(Status.AUTH_REQUIRED, 'internal')).toBe(401);
  });

  it('maps business failures and conflicts per surface', () => {
    expect(httpCodeFor(Status.FAILED, 'frontend')).toBe(200);
    expect(httpCodeFor(Status.FAILED, 'internal')).toBe(422);
    expect(httpCodeFor(Status.CONFLICT, 'internal')).toBe(409);
    expect(httpCodeFor(Status.INVALID_INPUT, 'internal')).toBe(400);
  });

  it('keeps brand and token statuses identical on both surfaces', () => {
    for (const [status, code] of [
      [Status.BRAND_UNRESOLVED, 400],
      [Status.BRAND_MISMATCH, 403],
      [Status.BRAND_NOT_ALLOWED, 403],
      [Status.BRAND_SIGNATURE_INVALID, 401],
      [Status.BRAND_CONTEXT_REQUIRED, 400],
      [Status.INTERNAL_TOKEN_INVALID, 401],
      [Status.RATE_LIMITED, 429],
      [Status.DOWNSTREAM_UNAVAILABLE, 502],
    ] as const) {
      expect(httpCodeFor(status, 'frontend')).toBe(code);
      expect(httpCodeFor(status, 'internal')).toBe(code);
    }
  });
});

describe('envelope', () => {
  it('builds ok and failure bodies', () => {
    expect(ok({ a: 1 })).toEqual({ status: 0, msg: 'ok', data: { a: 1 } });
    expect(ok(undefined)).toEqual({ status: 0, msg: 'ok', data: null });
    expect(fail(Status.NOT_FOUND)).toEqual({ status: 5, msg: 'not found', data: null });
  });
});

describe('EnvelopeExceptionFilter', () => {
  it('renders typed domain errors with the surface HTTP code', () => {
    const { host, sent } = hostFor();
    new EnvelopeExceptionFilter(always('frontend')).catch(new BrandMismatchError(), host);
    expect(sent).toEqual({ code: 403, body: { status: 51, msg: 'brand mismatch', data: null } });

    const internal = hostFor();
    new EnvelopeExceptionFilter(always('internal')).catch(
      new BusinessRuleError('wrong password'),
      internal.host,
    );
    expect(internal.sent).toEqual({ code: 422, body: { status: 1, msg: 'wrong password', data: null } });
  });

  it('routes per URL when the resolver says so', () => {
    const filter = new EnvelopeExceptionFilter((url) =>
      url.startsWith('/internal') ? 'internal' : 'frontend',
    );
    const a = hostFor('/internal/players/info');
    filter.catch(new AuthRequiredError(), a.host);
    expect(a.sent.code).toBe(401);
    const b = hostFor('/api/v1/user/info');
    filter.catch(new AuthRequiredError(), b.host);
    expect(b.sent.code).toBe(200);
  });

  it('maps framework errors: unknown route to 404 status 5, bad JSON to status 2', () => {
    const a = hostFor();
    new EnvelopeExceptionFilter(always('internal')).catch(
      new NotFoundException('Cannot GET /secret?token=abc'),
      a.host,
    );
    expect(a.sent).toEqual({ code: 404, body: { status: 5, msg: 'not found', data: null } });
    const b = hostFor();
    new EnvelopeExceptionFilter(always('internal')).catch(
      new BadRequestException('Unexpected token in JSON'),
      b.host,
    );
    expect(b.sent.body).toEqual({ status: 2, msg: 'invalid input', data: null });
  });

  it('never echoes the message or stack of an unexpected error', () => {
    const { host, sent } = hostFor();
    new EnvelopeExceptionFilter(always('internal')).catch(new Error('SELECT password FROM player'), host);
    expect(sent.code).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('SELECT');
    expect(sent.body).toEqual({ status: 1, msg: 'internal error', data: null });
  });

  it.each([
    ['QueryFailedError', '22003', undefined],
    ['QueryFailedError', '22P02', undefined],
    ['error', '22001', 'ERROR'],
    ['QueryFailedError', '22021', undefined],
    ['error', '22P05', 'ERROR'],
    ['QueryFailedError', '22008', undefined],
    ['error', '22007', 'ERROR'],
  ])(
    'answers a database %s %s (a value that does not fit its column) with status 2, not 500',
    (name, code, severity) => {
      const error = Object.assign(new Error('value "99999999999999999999" is out of range for type bigint'), {
        name,
        code,
        severity,
      });
      const frontend = hostFor();
      new EnvelopeExceptionFilter(always('frontend')).catch(error, frontend.host);
      expect(frontend.sent).toEqual({ code: 200, body: { status: 2, msg: 'invalid input', data: null } });
      const internal = hostFor();
      new EnvelopeExceptionFilter(always('internal')).catch(error, internal.host);
      expect(internal.sent.code).toBe(400);
    },
  );

  it('keeps other database errors, and non-database errors with such a code, at 500', () => {
    for (const error of [
      Object.assign(new Error('deadlock'), { name: 'QueryFailedError', code: '40P01' }),
      Object.assign(new Error('not a database'), { code: '22003' }),
    ]) {
      const { host, sent } = hostFor();
      new EnvelopeExceptionFilter(always('internal')).catch(error, host);
      expect(sent.code).toBe(500);
    }
  });

  it('keeps the data of a domain error', () => {
    const { host, sent } = hostFor();
    new EnvelopeExceptionFilter(always('internal')).catch(
      new DomainError(Status.CONFLICT, 'taken', { field: 'account' }),
      host,
    );
    expect(sent.body).toEqual({ status: 8, msg: 'taken', data: { field: 'account' } });
  });
});

class Dto {
  @IsString()
  @MaxLength(4)
  account!: string;
}

describe('validation pipe', () => {
  it('turns failures into status 2 naming fields and rules, never values', async () => {
    const pipe = envelopeValidationPipe();
    const err = await pipe
      .transform({ account: 'toolong-secret-value' }, { type: 'body', metatype: Dto })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).data).toEqual({ fields: { account: ['maxLength'] } });
    expect(JSON.stringify((err as InvalidInputError).data)).not.toContain('secret');
  });

  it('strips unknown properties', async () => {
    const out = await envelopeValidationPipe().transform(
      { account: 'ab', domain: 'x' },
      { type: 'body', metatype: Dto },
    );
    expect(out).toEqual(Object.assign(new Dto(), { account: 'ab' }));
  });
});

describe('EnvelopeExceptionFilter with a raw Node response (errors thrown in middleware)', () => {
  it('writes the envelope and code on the raw response', () => {
    const written: { code?: number; headers: Record<string, string>; body?: string } = { headers: {} };
    const raw = {
      headersSent: false,
      writableEnded: false,
      set statusCode(code: number) {
        written.code = code;
      },
      setHeader(name: string, value: string) {
        written.headers[name] = value;
      },
      end(body: string) {
        written.body = body;
      },
    };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => raw, getRequest: () => ({ url: '/x' }) }),
    } as unknown as ArgumentsHost;
    new EnvelopeExceptionFilter(always('frontend')).catch(new BrandMismatchError(), host);
    expect(written.code).toBe(403);
    expect(JSON.parse(written.body ?? '{}')).toEqual({ status: 51, msg: 'brand mismatch', data: null });
  });
});

describe('EnvelopeExceptionFilter with Fastify errors', () => {
  it('maps an oversized or malformed body to status 2, never 500', () => {
    for (const statusCode of [413, 400, 415]) {
      const { host, sent } = hostFor();
      const err = Object.assign(new Error('Request body is too large'), {
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
        statusCode,
      });
      new EnvelopeExceptionFilter(always('internal')).catch(err, host);
      expect(sent).toEqual({ code: 400, body: { status: 2, msg: 'invalid input', data: null } });
    }
  });
});
