import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { register } from 'prom-client';
import {
  BRAND_CLS_KEY,
  NO_REQUEST_CONTEXT,
  type RequestContextStore,
  setRequestContextStore,
} from './context';
import { loggerParams, requestFields } from './logger';
import { counter, Metrics } from './metrics';
import { requestIdFor, sanitizeRequestId } from './request-id';

describe('X-Request-ID', () => {
  it('binds a valid client id', () => {
    expect(sanitizeRequestId('abc-123_X.y')).toBe('abc-123_X.y');
    expect(requestIdFor({ headers: { 'x-request-id': 'req-1' } } as unknown as IncomingMessage)).toBe(
      'req-1',
    );
  });

  it('replaces invalid or over-long ids with a UUID v4', () => {
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', '']) {
      expect(sanitizeRequestId(bad)).toBeNull();
      expect(requestIdFor({ headers: { 'x-request-id': bad } } as unknown as IncomingMessage)).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  it('decides a request its id once: a generated id is the same for every later caller', () => {
    const req = { headers: {} } as unknown as IncomingMessage;
    const first = requestIdFor(req);
    // A later step sees the header rewritten to the id (or not): either way, the same id.
    req.headers['x-request-id'] = 'rewritten-later';
    expect(requestIdFor(req)).toBe(first);
    expect(requestIdFor({ headers: {} } as unknown as IncomingMessage)).not.toBe(first);
  });
});

describe('metrics', () => {
  it('returns the same metric for the same name', () => {
    expect(counter('obs_test_total', 'x', ['a'] as const)).toBe(
      counter('obs_test_total', 'x', ['a'] as const),
    );
  });

  it('exposes the seed metric names', async () => {
    Metrics.jwtUnknownKid().inc({ service: 'gateway' });
    Metrics.enforcementMode().set({ service: 'gateway' }, 2);
    const text = await register.metrics();
    expect(text).toContain('gateway_jwt_unknown_kid_total{service="gateway"} 1');
    expect(text).toContain('multi_brand_enforcement_mode{service="gateway"} 2');
  });
});

describe('log lines', () => {
  const lines = (write: (logger: pino.Logger) => void): Record<string, unknown>[] => {
    const out: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk.toString());
        cb();
      },
    });
    const params = loggerParams('obs-test', 'debug');
    write(pino(params.pinoHttp as pino.LoggerOptions, stream));
    return out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  };

  /** A request context that is active, with `requestId` and brand 7 (the app's store stands in). */
  const inRequest = <T>(requestId: string, fn: () => T): T => {
    const store: RequestContextStore = {
      isActive: () => true,
      get: <V>(key: string) => (key === BRAND_CLS_KEY ? ({ brandId: 7 } as V) : undefined),
      set: () => undefined,
      requestId: () => requestId,
    };
    setRequestContextStore(store);
    try {
      return fn();
    } finally {
      setRequestContextStore(NO_REQUEST_CONTEXT);
    }
  };

  it('carry the request id and brand of the request being served', () => {
    const [inside] = inRequest('req-abc', () => lines((logger) => logger.warn({ reason: 'x' }, 'inside')));
    expect(inside).toMatchObject({
      service: 'obs-test',
      request_id: 'req-abc',
      brand_id: 7,
      reason: 'x',
      msg: 'inside',
    });
  });

  it('carry a null brand and no request id outside a request', () => {
    const [outside] = lines((logger) => logger.info('boot'));
    expect(outside).toMatchObject({ brand_id: null, msg: 'boot' });
    expect(outside).not.toHaveProperty('request_id');
    expect(requestFields()).toEqual({ brand_id: null });
  });

  it('let a field the call sets win over the request context', () => {
    const [line] = inRequest('req-ctx', () => lines((logger) => logger.warn({ brand_id: 9 }, 'explicit')));
    expect(line).toMatchObject({ request_id: 'req-ctx', brand_id: 9 });
  });

  it('redact secrets and contacts at the top level and one level down', () => {
    const [line] = lines((logger) =>
      logger.warn(
        {
          password: 'pw-1',
          token: 'tok-1',
          otp: '123456',
          phone: '+821012345678',
          player: { card_number: '4111111111111111', reset_token: 'rt-1', account: 'kept' },
          headers: { authorization: 'Bearer abc' },
        },
        'secrets',
      ),
    );
    const text = JSON.stringify(line);
    for (const secret of [
      'pw-1',
      'tok-1',
      '123456',
      '821012345678',
      '4111111111111111',
      'rt-1',
      'Bearer abc',
    ]) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(line).toMatchObject({
      password: '[redacted]',
      player: { account: 'kept', card_number: '[redacted]' },
    });
  });

  it('mount no per-request logger middleware (no access log; fields come from the request context)', () => {
    expect(loggerParams('obs-test', 'info').forRoutes).toEqual([]);
  });
});
