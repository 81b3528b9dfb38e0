import { PROBE_PATHS } from '@app/health';
import { MiddlewarePipeline } from '@app/middleware-order';
import { BrandEnforcementMiddleware } from './brand-enforcement.middleware';
import { BrandResolutionMiddleware } from './brand-resolution.middleware';
import { JwtAuthMiddleware } from './jwt-auth.middleware';
import { RateLimitMiddleware } from './rate-limit.middleware';
import { RequestIdMiddleware } from './request-id.middleware';
import { SessionCheckMiddleware } from './session-check.middleware';

/**
 * gateway (seed 003, issue 3 point 2): the pipeline is declared once, here,
 * in the order the seed requires: request id → brand resolution → JWT auth →
 * session cross-check → brand enforcement → rate limit, then the proxy route
 * (proxy/proxy.route.ts, which also installs the steps as one Fastify
 * onRequest hook). Brand resolution must run before JWT auth so the session
 * lookup reads the brand-prefixed key (T7-B5 / T8-D2); the order is asserted
 * when the hook is installed, so a reordered pipeline refuses to boot, and
 * test/gateway/middleware-order.e2e-spec.ts fails.
 */
export const GATEWAY_PIPELINE = new MiddlewarePipeline([
  { name: 'request-id', middleware: RequestIdMiddleware },
  { name: 'brand-resolution', middleware: BrandResolutionMiddleware },
  { name: 'jwt-auth', middleware: JwtAuthMiddleware },
  { name: 'session-check', middleware: SessionCheckMiddleware },
  { name: 'brand-enforcement', middleware: BrandEnforcementMiddleware },
  { name: 'rate-limit', middleware: RateLimitMiddleware },
]);

/** The required order, each step before the next. */
export const GATEWAY_STEP_ORDER = [
  'request-id',
  'brand-resolution',
  'jwt-auth',
  'session-check',
  'brand-enforcement',
  'rate-limit',
] as const;

/** Throws MiddlewareOrderError unless every required step runs before the one after it. */
export function assertGatewayPipeline(pipeline: MiddlewarePipeline): void {
  for (let i = 1; i < GATEWAY_STEP_ORDER.length; i += 1) {
    pipeline.assertBefore(GATEWAY_STEP_ORDER[i - 1], GATEWAY_STEP_ORDER[i]);
  }
}

export const GATEWAY_UNPIPED_PATHS = PROBE_PATHS;
