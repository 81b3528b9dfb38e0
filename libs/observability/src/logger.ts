import type { Params } from 'nestjs-pino';
import { currentBrandId } from './context';

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

export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      messageKey: 'msg',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      genReqId: (req) => (req as { id?: string }).id ?? String(req.headers['x-request-id'] ?? ''),
      customAttributeKeys: { reqId: 'request_id' },
      mixin: () => ({ brand_id: currentBrandId() }),
      customProps: (req) => ({ brand_id: (req as { brandId?: number | null }).brandId ?? currentBrandId() }),
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
