import type { Params } from 'nestjs-pino';
import { currentBrandId, currentRequestId } from './context';

/**
 * nestjs-pino options shared by every app: JSON lines carrying `service`,
 * `request_id` and `brand_id` (ADR-009 "Structured logs include brand_id"),
 * with secrets and contacts redacted wherever they appear in a logged object.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-internal-service-token"]',
  'req.headers["x-brand-signature"]',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  'password',
  'new_password',
  'old_password',
  'token',
  'reset_token',
  'code',
  'otp',
  'phone',
  'tel',
  'contact',
  'card_number',
  'bank_num',
  '*.password',
  '*.new_password',
  '*.old_password',
  '*.token',
  '*.reset_token',
  '*.code',
  '*.otp',
  '*.phone',
  '*.phone_num',
  '*.tel',
  '*.contact',
  '*.card_number',
  '*.bank_num',
  '*.authorization',
];

/**
 * `request_id` (X-Request-ID, CONTRACTS §3) and `brand_id` of the request being
 * served, read from the request context (nestjs-cls) when a line is written;
 * outside a request (boot, workers' loops) `brand_id` is null and there is no
 * `request_id`. A field the log call sets itself wins over these.
 */
export function requestFields(): { request_id?: string; brand_id: number | null } {
  const requestId = currentRequestId();
  const brandId = currentBrandId();
  return requestId === null ? { brand_id: brandId } : { request_id: requestId, brand_id: brandId };
}

/**
 * No per-request pino-http middleware (`forRoutes: []`): these apps write no
 * access log, and a request's lines get their request fields from the
 * request context above rather than from a child logger per request. The
 * library's default route (`{/*splat}`) matched only `/` under Nest 12 and
 * @fastify/middie 9 anyway, so it never ran on an app route; it still cost
 * every request a pass through middie.
 */
export function loggerParams(service: string, level: string): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'msg',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: requestFields,
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          // Query strings may carry legacy tokens (?token=); log the path only.
          url: typeof req.url === 'string' ? req.url.split('?')[0] : req.url,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
    },
  };
}
