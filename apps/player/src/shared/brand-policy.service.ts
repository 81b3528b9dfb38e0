/**
 * Per-brand policies read from `brand_config` (ADR-009 "Configuration is
 * per-brand": the brand's value first, then a documented global default).
 * Keys player_service reads, each a JSON object merged key by key over the
 * defaults below (a brand value of the wrong type is ignored, the default
 * kept):
 *
 *   registration_policy  enabled, require_phone, require_sms_verification,
 *                        require_captcha, default_agent_id, default_level
 *   feature_policy       registration, recovery (plus any other boolean flag,
 *                        passed through to the frontend)
 *   login_policy         max_failed_attempts, lockout_seconds, require_captcha
 *   sms_policy           enabled (false: the send-sms routes refuse)
 *   frontend_config      free-form public object for the player frontend
 *
 * The brand row itself is read with them: an X-Brand-Id naming no brand is
 * refused with status 50 before anything is written.
 * Values are cached in process for a few seconds per brand (STACK.md: cache
 * what may be cached), so an admin change applies within CACHE_TTL_MS.
 */
import { Injectable } from '@nestjs/common';
import { asBrandId, Brand, BrandConfig, Database } from '@app/database';
import { BrandUnresolvedError } from '@app/http';

export interface RegistrationPolicy {
  enabled: boolean;
  require_phone: boolean;
  require_sms_verification: boolean;
  require_captcha: boolean;
  default_agent_id: number | null;
  default_level: number;
}

/** Known switches plus any other boolean flag the brand sets for its frontend. */
export interface FeaturePolicy {
  registration: boolean;
  recovery: boolean;
  [flag: string]: boolean;
}

export interface LoginPolicy {
  max_failed_attempts: number;
  lockout_seconds: number;
  require_captcha: boolean;
}

export interface SmsPolicy {
  enabled: boolean;
}

export interface BrandInfo {
  brand_code: string;
  name: string;
  default_currency: string;
  status: string;
}

export interface BrandPolicies {
  brand: BrandInfo;
  registration: RegistrationPolicy;
  feature: FeaturePolicy;
  login: LoginPolicy;
  sms: SmsPolicy;
  frontend: Record<string, unknown>;
}

export const DEFAULT_POLICIES: Readonly<Omit<BrandPolicies, 'brand'>> = Object.freeze({
  registration: {
    enabled: true,
    require_phone: false,
    require_sms_verification: false,
    require_captcha: false,
    default_agent_id: null,
    default_level: 1,
  },
  feature: { registration: true, recovery: true },
  login: { max_failed_attempts: 5, lockout_seconds: 900, require_captcha: false },
  sms: { enabled: true },
  frontend: {},
});

/** The registration_policy fields the frontend may see (site_setting). */
export const PUBLIC_REGISTRATION_FIELDS = ['enabled', 'require_phone', 'require_sms_verification', 'require_captcha'] as const;

const CACHE_TTL_MS = 5000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Default-typed merge: only keys of the default, only values of the default's type (null defaults accept numbers). */
export function mergePolicy<T extends object>(defaults: T, value: unknown): T {
  const out = { ...defaults } as Record<string, unknown>;
  if (!isObject(value)) return out as T;
  for (const [key, fallback] of Object.entries(defaults)) {
    const candidate = value[key];
    if (candidate === undefined) continue;
    if (fallback === null ? candidate === null || (typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate > 0) : typeof candidate === typeof fallback) {
      out[key] = candidate;
    }
  }
  return out as T;
}

function featurePolicy(value: unknown): FeaturePolicy {
  const merged = mergePolicy(DEFAULT_POLICIES.feature, value);
  if (isObject(value)) {
    for (const [key, flag] of Object.entries(value)) if (typeof flag === 'boolean' && /^[a-z0-9_]{1,64}$/.test(key)) merged[key] = flag;
  }
  return merged;
}

@Injectable()
export class BrandPolicyService {
  private readonly cache = new Map<number, { value: BrandPolicies; until: number }>();

  constructor(private readonly db: Database) {}

  async policies(brandId: number): Promise<BrandPolicies> {
    const now = Date.now();
    const hit = this.cache.get(brandId);
    if (hit && hit.until > now) return hit.value;
    const { brand, rows } = await this.db.brandTransaction(asBrandId(brandId), async (tx) => ({
      brand: await tx.manager.findOne(Brand, { where: { id: brandId } }),
      rows: await tx.repo(BrandConfig).find({}),
    }));
    // An X-Brand-Id that names no brand cannot have come from a resolved domain: status 50, nothing written.
    if (!brand) throw new BrandUnresolvedError('unknown brand');
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    const frontend = byKey.get('frontend_config');
    const value: BrandPolicies = {
      brand: { brand_code: brand.brandCode, name: brand.name, default_currency: brand.defaultCurrency, status: brand.status },
      registration: mergePolicy(DEFAULT_POLICIES.registration, byKey.get('registration_policy')),
      feature: featurePolicy(byKey.get('feature_policy')),
      login: mergePolicy(DEFAULT_POLICIES.login, byKey.get('login_policy')),
      sms: mergePolicy(DEFAULT_POLICIES.sms, byKey.get('sms_policy')),
      frontend: isObject(frontend) ? frontend : {},
    };
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(brandId, { value, until: now + CACHE_TTL_MS });
    return value;
  }

  /** Forget cached values (tests that change brand_config mid-suite). */
  invalidate(): void {
    this.cache.clear();
  }
}
