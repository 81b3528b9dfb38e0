import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '@app/redis';

/**
 * The Redis domain maps of CONTRACTS §4 (`domain:agent:{host}`,
 * `domain:level:{host}`), both binding a domain to exactly one brand.
 * One MGET per lookup, shared by concurrent requests for the same domain,
 * plus a short in-process cache of hits (STACK.md: a Redis round trip per
 * request halves throughput). Redis errors propagate so callers fail closed.
 */
export interface DomainBinding {
  brandId: number;
  agentId: number | null;
  level: number | null;
}

export class DomainMapUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`domain map lookup failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'DomainMapUnavailableError';
  }
}

export const DOMAIN_CACHE_TTL_MS = Symbol('DOMAIN_CACHE_TTL_MS');

export function agentDomainKey(host: string): string {
  return `domain:agent:${host}`;
}

export function levelDomainKey(host: string): string {
  return `domain:level:${host}`;
}

function positiveInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null;
}

export function parseBinding(agentRaw: string | null, levelRaw: string | null): DomainBinding | null {
  let agentId: number | null = null;
  let level: number | null = null;
  let brandId: number | null = null;
  for (const [raw, kind] of [
    [agentRaw, 'agent'],
    [levelRaw, 'level'],
  ] as const) {
    if (!raw) continue;
    try {
      const value = JSON.parse(raw) as Record<string, unknown>;
      const b = positiveInt(value.brand_id);
      if (b === null) continue;
      brandId ??= b;
      if (kind === 'agent') agentId = positiveInt(value.agent_id);
      if (kind === 'level' && typeof value.level === 'number') level = value.level;
    } catch {
      // A malformed projection entry resolves nothing; the map is rebuilt from PostgreSQL.
    }
  }
  return brandId === null ? null : { brandId, agentId, level };
}

@Injectable()
export class DomainMapResolver {
  private readonly cache = new Map<string, { value: DomainBinding | null; until: number }>();
  /**
   * Lookups in flight, shared by every request for the same domain: when a
   * cached domain expires under load, one MGET answers all the requests that
   * were waiting for it instead of one each.
   */
  private readonly inflight = new Map<string, Promise<DomainBinding | null>>();
  /** Bumped by invalidate(): a lookup that started before it is neither shared nor cached after it. */
  private generation = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(DOMAIN_CACHE_TTL_MS) private readonly ttlMs: number,
  ) {}

  /** The binding of a domain resolved within the cache TTL, else undefined (call resolve). No await. */
  cached(host: string): DomainBinding | undefined {
    const hit = this.cache.get(host);
    if (hit === undefined || hit.until <= Date.now()) return undefined;
    return hit.value ?? undefined;
  }

  resolve(host: string): Promise<DomainBinding | null> {
    const hit = this.cache.get(host);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.value);
    let lookup = this.inflight.get(host);
    if (lookup === undefined) {
      // Removed once settled (by identity: after invalidate() another lookup may hold the slot),
      // also when the lookup failed before its first await.
      const started: Promise<DomainBinding | null> = this.lookup(host, this.generation).finally(() => {
        if (this.inflight.get(host) === started) this.inflight.delete(host);
      });
      this.inflight.set(host, started);
      lookup = started;
    }
    return lookup;
  }

  invalidate(): void {
    this.generation += 1;
    this.cache.clear();
    this.inflight.clear();
  }

  private async lookup(host: string, generation: number): Promise<DomainBinding | null> {
    let values: (string | null)[];
    try {
      values = await this.redis.mget(agentDomainKey(host), levelDomainKey(host));
    } catch (err) {
      throw new DomainMapUnavailableError(err);
    }
    const binding = parseBinding(values[0], values[1]);
    // Only hits are cached: a domain added by admin resolves on the next request. A lookup that
    // straddled an invalidate() may have read the old binding: it answers its callers, is not kept.
    if (binding && this.ttlMs > 0 && generation === this.generation) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(host, { value: binding, until: Date.now() + this.ttlMs });
    }
    return binding;
  }
}
