/**
 * Environment classification shared by every boot guard (ADR-009, Codex
 * P1-#5): a runtime is production-grade when ANY of RGB_ENV, APP_ENV or
 * ENVIRONMENT says staging, production or prod.
 */
export const PRODUCTION_ENV_VARS = ['RGB_ENV', 'APP_ENV', 'ENVIRONMENT'] as const;
export const PRODUCTION_VALUES = ['staging', 'production', 'prod'] as const;

export type Env = Record<string, string | undefined>;

export function isProductionEnv(env: Env): boolean {
  return PRODUCTION_ENV_VARS.some((name) =>
    (PRODUCTION_VALUES as readonly string[]).includes((env[name] ?? '').trim().toLowerCase()),
  );
}

/** The variable that made the runtime production-grade, for error lines. */
export function productionMarker(env: Env): string | undefined {
  return PRODUCTION_ENV_VARS.find((name) =>
    (PRODUCTION_VALUES as readonly string[]).includes((env[name] ?? '').trim().toLowerCase()),
  );
}

export const ENFORCEMENT_MODES = ['off', 'observe', 'enforce'] as const;
export type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

export const ENFORCEMENT_GAUGE_VALUE: Record<EnforcementMode, number> = { off: 0, observe: 1, enforce: 2 };

export const CALLER_SERVICES = ['gateway', 'agent', 'admin', 'recon', 'game', 'promotion', 'rolling'] as const;
export type CallerService = (typeof CALLER_SERVICES)[number];

/**
 * An on/off switch as env files write it: on, true, 1, yes (and off, false,
 * 0, no), any case, trimmed; null when unset or blank; anything else is
 * returned lowercased for the validator to refuse. The config schema and the
 * boot guards both read switches through this, so a guard cannot miss a
 * spelling the app itself takes as on.
 */
export function parseOnOff(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const v = String(value).trim().toLowerCase();
  if (v === '') return null;
  if (['on', 'true', '1', 'yes'].includes(v)) return 'on';
  if (['off', 'false', '0', 'no'].includes(v)) return 'off';
  return v;
}

export function isBlank(value: string | undefined | null): boolean {
  return value === undefined || value === null || value.trim() === '';
}
