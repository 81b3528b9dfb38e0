import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Process-wide metric accessors over prom-client's default registry, which
 * /metrics serves. Getting a metric twice returns the same instance, so any
 * lib can count without Nest injection. Names are the seeds' (CONTRACTS §9).
 */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames: [...labelNames] });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames: [...labelNames] });
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets: number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
): Histogram<L> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram<L>({ name, help, labelNames: [...labelNames], buckets });
}

/** The seeds' named counters, defined once so labels stay consistent. */
export const Metrics = {
  brandResolutionFailed: () =>
    counter('brand_resolution_failed_total', 'Brand checks that failed, by reason', ['reason', 'service'] as const),
  enforcementMode: () =>
    gauge('multi_brand_enforcement_mode', 'MULTI_BRAND_ENFORCEMENT: 0 off, 1 observe, 2 enforce', ['service'] as const),
  jwtUnknownKid: () =>
    counter('gateway_jwt_unknown_kid_total', 'JWTs rejected for a kid not in JWT_PUBLIC_KEYS', ['service'] as const),
  jwtSessionMissing: () =>
    counter('gateway_jwt_session_missing_total', 'Valid JWTs whose brand session key was missing or replaced', [
      'service',
    ] as const),
  piiAesUnconfigured: () =>
    counter('pii_aes_unconfigured_total', 'PII operations without AES keys (non-production only)', [
      'service',
      'op',
    ] as const),
  recoverySmsDeliveryFailed: () =>
    counter('recovery_sms_delivery_failed_total', 'Recovery/OTP SMS not delivered', ['service'] as const),
  recoveryEmailUnprovisioned: () =>
    counter('recovery_email_unprovisioned_total', 'Recovery requests for email contacts with no provider', [
      'service',
    ] as const),
  eventLegacySchema: () =>
    counter('event_legacy_schema_total', 'schema_version 1 events seen by consumers', ['stream', 'consumer'] as const),
  adminOperatorIdMismatch: () =>
    counter('admin_operator_id_mismatch_total', 'X-Operator-Id vs admin JWT problems', ['reason'] as const),
  crossBrandAccess: () =>
    counter(
      'db_cross_brand_access_total',
      'Statements run through the cross-brand opt-in past row-level security, by access (read, relay)',
      ['access'] as const,
    ),
  adminAuditWriteFailed: () =>
    counter('admin_audit_write_failed_total', 'admin_audit inserts that failed after a money write', ['route'] as const),
  agentBalanceLegacyWrite: () =>
    counter('agent_balance_legacy_write_total', 'Direct agent.balance writes bypassing wallet', ['change_type'] as const),
  adminWsLegacyQueryToken: () =>
    counter('admin_ws_legacy_query_token_total', 'Admin WebSocket connections using ?token='),
  adminWsRateLimited: () =>
    counter('admin_ws_rate_limited_total', 'Admin WebSocket accepts refused', ['reason'] as const),
  internalLegacyToken: () =>
    counter('internal_legacy_token_total', 'Inbound internal calls authenticated by the legacy shared token', [
      'service',
      'caller',
    ] as const),
  internalTokenRejected: () =>
    counter('internal_token_rejected_total', 'Inbound internal calls refused', ['service', 'reason'] as const),
  outboxPublished: () => counter('outbox_published_total', 'Outbox events published', ['service', 'stream', 'brand'] as const),
  outboxFailed: () => counter('outbox_publish_failed_total', 'Outbox publish attempts that failed', ['service', 'stream'] as const),
  outboxDeadLettered: () =>
    counter('outbox_dead_lettered_total', 'Outbox rows moved to dead letter', ['service', 'stream'] as const),
  outboxBacklog: () => gauge('outbox_backlog', 'Unpublished outbox rows', ['service', 'table'] as const),
  outboxOldestAgeSeconds: () =>
    gauge('outbox_oldest_pending_age_seconds', 'Age of the oldest unpublished outbox row', ['service', 'table'] as const),
  outboxWaitingOnOpenTransactions: () =>
    gauge(
      'outbox_waiting_on_open_transactions',
      'Unpublished outbox rows already committed that the relay cannot read yet: an older write transaction is still open',
      ['service', 'table'] as const,
    ),
  downstreamRequests: () =>
    counter('downstream_requests_total', 'Internal downstream calls', ['service', 'target', 'outcome', 'brand'] as const),
};
