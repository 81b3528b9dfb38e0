/**
 * brand_config schema registry and normalizer (seed 004 "brand_config now has
 * an operator-facing schema registry ... known keys are normalized and
 * validated before write"). The seven operational customizations are:
 * frontend_config, registration_policy, feature_policy, payment_policy,
 * sms_policy, the provider allow list (stored in brand_provider_config) and
 * the reward/rolling scalars. Precedence rules kept here:
 * - payment_policy wins over the legacy scalar compatibility keys
 *   (deposit_min_amount, payment_channel_plisio_enabled, ...): an import folds
 *   a legacy scalar into payment_policy only where the policy object has no
 *   value of its own, and never writes the scalar back (exports emit only
 *   the policy object). The policy that wins is the import's own
 *   payment_policy when it carries one (a full replacement, like any key),
 *   else the brand's stored payment_policy: scalars then only fill the
 *   fields it lacks (`foldLegacyPayment`, run by the service under the row's
 *   lock). The per-key route refuses a legacy scalar outright: it has no row
 *   of its own to write;
 * - payment_policy.deposit_maintenance_* are tri-state: an omitted or null
 *   field falls back to the legacy global setting and stays null, while false
 *   or an empty string is an explicit brand override and is kept.
 * Keys outside the registry are stored as given (i18n, theming, ... slots of
 * ADR-009) and reported back as unregistered.
 */

export type FieldType =
  'boolean' | 'tri_boolean' | 'number' | 'integer' | 'string' | 'url' | 'color' | 'tri_time' | 'string_list';

export interface FieldSpec {
  name: string;
  type: FieldType;
  min?: number;
  max?: number;
  description: string;
}

export type KeyKind = 'policy' | 'scalar' | 'provider_allowlist';

export interface ConfigKeySpec {
  key: string;
  kind: KeyKind;
  storage: 'brand_config' | 'brand_provider_config';
  /** The service that enforces the value at run time (seed 004 ownership split). */
  consumer: string;
  description: string;
  fields?: FieldSpec[];
  /** feature_policy: any `<name>_enabled` boolean is accepted besides the listed ones. */
  openSuffix?: string;
  min?: number;
  max?: number;
}

const f = (name: string, type: FieldType, description: string, min?: number, max?: number): FieldSpec => ({
  name,
  type,
  description,
  min,
  max,
});

const AMOUNT_MAX = 1e12;

export const PROVIDER_ALLOWLIST_KEY = 'provider_allowlist';

export const CONFIG_SCHEMA: readonly ConfigKeySpec[] = Object.freeze([
  {
    key: 'frontend_config',
    kind: 'policy',
    storage: 'brand_config',
    consumer: 'player_service (public site settings)',
    description: 'Public theming and links returned by site_setting.',
    fields: [
      f('site_name', 'string', 'Display name of the site'),
      f('logo_url', 'url', 'Logo image URL'),
      f('favicon_url', 'url', 'Favicon URL'),
      f('theme', 'string', 'Theme identifier'),
      f('primary_color', 'color', 'Primary colour, #rgb or #rrggbb'),
      f('customer_service_url', 'url', 'Customer-service link'),
      f('telegram_url', 'url', 'Telegram link'),
      f('default_language', 'string', 'Default UI language code'),
      f('languages', 'string_list', 'Enabled UI language codes'),
    ],
  },
  {
    key: 'registration_policy',
    kind: 'policy',
    storage: 'brand_config',
    consumer: 'player_service (registration, login)',
    description: 'Product-level registration gate; ANDed with feature_policy.registration_enabled.',
    fields: [
      f('enabled', 'boolean', 'Registration open for this brand'),
      f('require_phone', 'boolean', 'Phone number required at registration'),
      f('require_sms_verification', 'boolean', 'SMS code required at registration'),
      f('require_agent_code', 'boolean', 'Agent/referral code required'),
      f('allow_duplicate_phone', 'boolean', 'Several accounts may share one phone'),
      f('min_password_length', 'integer', 'Minimum password length', 4, 128),
    ],
  },
  {
    key: 'feature_policy',
    kind: 'policy',
    storage: 'brand_config',
    consumer: 'player_service, wallet_service, game_service, promotion_service',
    description: 'Maintenance / kill-switch layer: every field is a `<feature>_enabled` boolean.',
    openSuffix: '_enabled',
    fields: [
      f('registration_enabled', 'boolean', 'Registration kill switch'),
      f('login_enabled', 'boolean', 'Login kill switch'),
      f('deposit_enabled', 'boolean', 'Deposit kill switch'),
      f('withdraw_enabled', 'boolean', 'Withdrawal kill switch'),
      f('game_enabled', 'boolean', 'Game list kill switch'),
      f('game_launch_enabled', 'boolean', 'Game launch kill switch'),
      f('promotion_enabled', 'boolean', 'Promotion kill switch'),
      f('coupon_enabled', 'boolean', 'Coupon kill switch'),
      f('attendance_enabled', 'boolean', 'Attendance kill switch'),
      f('sms_enabled', 'boolean', 'SMS kill switch'),
    ],
  },
  {
    key: 'payment_policy',
    kind: 'policy',
    storage: 'brand_config',
    consumer: 'wallet_service (channels, limits, maintenance)',
    description:
      'Payment channels, limits and deposit maintenance. Wins over the legacy scalar keys; deposit_maintenance_* are tri-state (null = fall back to global, false/"" = brand override).',
    fields: [
      f('deposit_enabled', 'boolean', 'Deposits offered'),
      f('withdraw_enabled', 'boolean', 'Withdrawals offered'),
      f('channels', 'string_list', 'Enabled deposit channels'),
      f('plisio_enabled', 'boolean', 'Plisio crypto channel enabled'),
      f('deposit_min_amount', 'number', 'Minimum deposit', 0, AMOUNT_MAX),
      f('deposit_max_amount', 'number', 'Maximum deposit', 0, AMOUNT_MAX),
      f('withdraw_min_amount', 'number', 'Minimum withdrawal', 0, AMOUNT_MAX),
      f('withdraw_max_amount', 'number', 'Maximum withdrawal', 0, AMOUNT_MAX),
      f('deposit_maintenance_enabled', 'tri_boolean', 'Deposit maintenance switch (tri-state)'),
      f('deposit_maintenance_start', 'tri_time', 'Maintenance window start HH:MM (tri-state)'),
      f('deposit_maintenance_end', 'tri_time', 'Maintenance window end HH:MM (tri-state)'),
    ],
  },
  {
    key: 'sms_policy',
    kind: 'policy',
    storage: 'brand_config',
    consumer: 'player_service (SMS sends)',
    description: 'SMS channel policy; ANDed with feature_policy.sms_enabled.',
    fields: [
      f('enabled', 'boolean', 'SMS sending enabled'),
      f('provider', 'string', 'SMS provider name'),
      f('daily_limit_per_contact', 'integer', 'SMS per contact per day', 0, 10_000),
      f('cooldown_seconds', 'integer', 'Seconds between two sends to one contact', 0, 86_400),
    ],
  },
  {
    key: PROVIDER_ALLOWLIST_KEY,
    kind: 'provider_allowlist',
    storage: 'brand_provider_config',
    consumer: 'game_service, gateway prechecks (brand:provider_allowlist:{brand_id})',
    description: 'Configured provider ids; effective ids also require provider.is_show.',
  },
  scalar('rebate_rate', 'Rebate rate as a fraction (0.01 = 1%)', 0, 1),
  scalar('cashback_rate', 'Cashback rate as a fraction', 0, 1),
  scalar('lossback_rate', 'Lossback rate as a fraction', 0, 1),
  scalar(
    'rolling_completion_ratio',
    'Rolling required before withdrawal, as a multiple of the deposit',
    0,
    100,
  ),
  scalar('valid_odds_threshold', 'Minimum odds for a bet to count towards rolling', 1, 1000),
]);

function scalar(key: string, description: string, min: number, max: number): ConfigKeySpec {
  return {
    key,
    kind: 'scalar',
    storage: 'brand_config',
    consumer: 'rolling_service, promotion_service',
    description,
    min,
    max,
  };
}

/** Legacy scalar compatibility keys and the payment_policy field each one maps to. */
export const LEGACY_PAYMENT_KEYS: Readonly<Record<string, string>> = Object.freeze({
  deposit_min_amount: 'deposit_min_amount',
  deposit_max_amount: 'deposit_max_amount',
  withdraw_min_amount: 'withdraw_min_amount',
  withdraw_max_amount: 'withdraw_max_amount',
  payment_channel_plisio_enabled: 'plisio_enabled',
  deposit_maintenance_enabled: 'deposit_maintenance_enabled',
  deposit_maintenance_start: 'deposit_maintenance_start',
  deposit_maintenance_end: 'deposit_maintenance_end',
});

const SPECS = new Map(CONFIG_SCHEMA.map((spec) => [spec.key, spec]));
export const CONFIG_KEY_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_VALUE_BYTES = 64 * 1024;

export function configSpec(key: string): ConfigKeySpec | undefined {
  return SPECS.get(key);
}

export class ConfigValidationError extends Error {
  constructor(readonly fields: Record<string, string[]>) {
    super('invalid brand config');
    this.name = 'ConfigValidationError';
  }
}

/** Collects problems under a path ("payment_policy.deposit_min_amount") instead of stopping at the first. */
class Problems {
  readonly fields: Record<string, string[]> = {};
  add(path: string, problem: string): void {
    (this.fields[path] ??= []).push(problem);
  }
  get empty(): boolean {
    return Object.keys(this.fields).length === 0;
  }
}

const TRUE_WORDS = new Set(['true', 'on', '1', 'yes']);
const FALSE_WORDS = new Set(['false', 'off', '0', 'no']);
const TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
const COLOR = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (TRUE_WORDS.has(v)) return true;
    if (FALSE_WORDS.has(v)) return false;
  }
  return undefined;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

function inRange(n: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

/** Normalizes one field; returns `undefined` after recording a problem. */
function normalizeField(spec: FieldSpec, value: unknown, path: string, problems: Problems): unknown {
  switch (spec.type) {
    case 'tri_boolean':
      // null = fall back to global; "" and false = explicit brand override (off).
      if (value === null) return null;
      if (value === '') return false;
      return normalizeField({ ...spec, type: 'boolean' }, value, path, problems);
    case 'tri_time':
      if (value === null) return null;
      if (value === '') return '';
      if (typeof value === 'string' && TIME.test(value.trim())) return value.trim();
      problems.add(path, 'must be HH:MM, "" (explicit override) or null (fall back to global)');
      return undefined;
    case 'boolean': {
      const b = toBoolean(value);
      if (b === undefined) problems.add(path, 'must be a boolean');
      return b;
    }
    case 'number':
    case 'integer': {
      const n = toNumber(value);
      if (n === undefined || (spec.type === 'integer' && !Number.isInteger(n))) {
        problems.add(path, spec.type === 'integer' ? 'must be an integer' : 'must be a number');
        return undefined;
      }
      if (!inRange(n, spec.min, spec.max)) {
        problems.add(path, `must be between ${spec.min ?? '-inf'} and ${spec.max ?? 'inf'}`);
        return undefined;
      }
      return n;
    }
    case 'string':
      if (typeof value === 'string' && value.length <= 1024) return value.trim();
      problems.add(path, 'must be a string of at most 1024 characters');
      return undefined;
    case 'url':
      if (value === '' || (typeof value === 'string' && value.length <= 2048 && isUrl(value.trim())))
        return (value as string).trim();
      problems.add(path, 'must be an http(s) URL or ""');
      return undefined;
    case 'color':
      if (typeof value === 'string' && COLOR.test(value.trim())) return value.trim().toLowerCase();
      problems.add(path, 'must be #rgb or #rrggbb');
      return undefined;
    case 'string_list':
      if (
        Array.isArray(value) &&
        value.length <= 100 &&
        value.every((v) => typeof v === 'string' && v.trim() !== '')
      ) {
        return [...new Set(value.map((v: string) => v.trim()))];
      }
      problems.add(path, 'must be a list of non-empty strings');
      return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizePolicy(
  spec: ConfigKeySpec,
  value: unknown,
  problems: Problems,
  warnings: string[],
): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    problems.add(spec.key, 'must be an object');
    return undefined;
  }
  const fields = new Map((spec.fields ?? []).map((field) => [field.name, field]));
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(value)) {
    const path = `${spec.key}.${name}`;
    let field = fields.get(name);
    if (!field && spec.openSuffix) {
      if (!name.endsWith(spec.openSuffix) || !CONFIG_KEY_PATTERN.test(name)) {
        problems.add(
          path,
          `unknown field: every ${spec.key} field is a "<feature>${spec.openSuffix}" boolean`,
        );
        continue;
      }
      field = f(name, 'boolean', '');
    }
    if (!field) {
      // Unknown fields of open policies pass through so older exports still import; they are reported.
      warnings.push(`${path}: not in the schema registry, kept as given`);
      out[name] = raw;
      continue;
    }
    if (raw === undefined) continue;
    if (raw === null && field.type !== 'tri_boolean' && field.type !== 'tri_time') {
      problems.add(path, 'must not be null');
      continue;
    }
    const normalized = normalizeField(field, raw, path, problems);
    if (normalized !== undefined) out[name] = normalized;
  }
  checkRanges(spec.key, out, problems);
  return out;
}

function checkRanges(key: string, policy: Record<string, unknown>, problems: Problems): void {
  if (key !== 'payment_policy') return;
  for (const kind of ['deposit', 'withdraw'] as const) {
    const min = policy[`${kind}_min_amount`];
    const max = policy[`${kind}_max_amount`];
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      problems.add(`payment_policy.${kind}_min_amount`, `must not exceed ${kind}_max_amount`);
    }
  }
}

function normalizeAllowlist(value: unknown, problems: Problems): number[] | undefined {
  if (!Array.isArray(value) || value.length > 10_000) {
    problems.add(PROVIDER_ALLOWLIST_KEY, 'must be a list of provider ids');
    return undefined;
  }
  const ids: number[] = [];
  for (const [i, raw] of value.entries()) {
    const n = toNumber(raw);
    if (n === undefined || !Number.isSafeInteger(n) || n <= 0)
      problems.add(`${PROVIDER_ALLOWLIST_KEY}[${i}]`, 'must be a positive integer');
    else ids.push(n);
  }
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * A NUL character anywhere in the serialized value (a string or an object key, at any depth):
 * JSON.stringify writes it as `\u0000`. That is a NUL escape after an even number of backslashes
 * (escaped backslashes of the text); after an odd number it is the text `\u0000` itself, which is
 * fine. jsonb cannot hold U+0000.
 */
const JSON_NUL = /(?:^|[^\\])(?:\\\\)*\\u0000/;

/** Checks that the value can be stored as one jsonb value of bounded size. */
function checkSize(key: string, value: unknown, problems: Problems): boolean {
  const text = JSON.stringify(value);
  if (text === undefined) {
    problems.add(key, 'must be a JSON value');
    return false;
  }
  if (Buffer.byteLength(text) > MAX_VALUE_BYTES) {
    problems.add(key, `must serialize to at most ${MAX_VALUE_BYTES} bytes`);
    return false;
  }
  if (JSON_NUL.test(text)) {
    problems.add(key, 'must not contain the NUL character');
    return false;
  }
  return true;
}

function normalizeOne(key: string, value: unknown, problems: Problems, warnings: string[]): unknown {
  if (!CONFIG_KEY_PATTERN.test(key)) {
    problems.add(key, 'key must match ^[a-z][a-z0-9_.-]{0,63}$');
    return undefined;
  }
  if (value === undefined || !checkSize(key, value, problems)) {
    if (value === undefined) problems.add(key, 'value is required');
    return undefined;
  }
  const spec = SPECS.get(key);
  if (spec?.kind === 'policy') return normalizePolicy(spec, value, problems, warnings);
  if (spec?.kind === 'provider_allowlist') return normalizeAllowlist(value, problems);
  if (spec?.kind === 'scalar') {
    const n = toNumber(value);
    if (n === undefined || !inRange(n, spec.min, spec.max)) {
      problems.add(key, `must be a number between ${spec.min} and ${spec.max}`);
      return undefined;
    }
    return n;
  }
  const legacy = LEGACY_PAYMENT_KEYS[key];
  if (legacy !== undefined) {
    const field = SPECS.get('payment_policy')?.fields?.find((x) => x.name === legacy) as FieldSpec;
    return normalizeField(field, value, key, problems);
  }
  return value;
}

/** Normalizes one per-key write (PUT /brands/{id}/config/{key}); throws ConfigValidationError. */
export function normalizeConfigValue(key: string, value: unknown): { value: unknown; warnings: string[] } {
  const legacy = LEGACY_PAYMENT_KEYS[key];
  if (legacy !== undefined) {
    throw new ConfigValidationError({
      [key]: [`legacy compatibility key, never stored: write payment_policy.${legacy} instead`],
    });
  }
  const problems = new Problems();
  const warnings: string[] = [];
  const normalized = normalizeOne(key, value, problems, warnings);
  if (!problems.empty) throw new ConfigValidationError(problems.fields);
  return { value: normalized, warnings };
}

export interface NormalizedImport {
  /**
   * brand_config rows to write, key → normalized value (the allow list excluded). Without
   * payment_policy when `legacyPayment` is set: that policy is the stored one plus the scalars.
   */
  config: Record<string, unknown>;
  /** Provider ids for brand_provider_config, when the import carries the allow list. */
  providerAllowlist: number[] | null;
  /** Legacy scalar keys the import carried, all consumed by payment_policy (payment_policy's own values win). */
  foldedLegacyKeys: string[];
  /** The legacy keys among them whose field the import's own payment_policy already sets. */
  shadowedLegacyKeys: string[];
  /**
   * Legacy key → normalized value, when the import carries legacy scalars but no payment_policy:
   * they fill only the fields the brand's stored payment_policy lacks (foldLegacyPayment).
   */
  legacyPayment: Record<string, unknown> | null;
  unregisteredKeys: string[];
  warnings: string[];
}

export interface FoldedPayment {
  policy: Record<string, unknown>;
  /** Legacy keys whose value was written into a field the policy did not set. */
  filled: string[];
  /** Legacy keys dropped because the policy sets their field (the object wins). */
  shadowed: string[];
}

function fold(
  base: Record<string, unknown>,
  legacy: Record<string, unknown>,
  problems: Problems,
): FoldedPayment {
  const policy = { ...base };
  const filled: string[] = [];
  const shadowed: string[] = [];
  for (const [key, value] of Object.entries(legacy)) {
    const field = LEGACY_PAYMENT_KEYS[key];
    if (field in policy) shadowed.push(key);
    else {
      policy[field] = value;
      filled.push(key);
    }
  }
  if (filled.length > 0) checkRanges('payment_policy', policy, problems);
  return { policy, filled, shadowed };
}

/**
 * Folds an import's legacy scalars (`NormalizedImport.legacyPayment`) into the brand's stored
 * payment_policy: the stored object wins, a scalar only fills a field it lacks. The merged policy
 * is validated (min ≤ max); throws ConfigValidationError.
 */
export function foldLegacyPayment(stored: unknown, legacy: Record<string, unknown>): FoldedPayment {
  const problems = new Problems();
  const result = fold(isPlainObject(stored) ? stored : {}, legacy, problems);
  if (!problems.empty) throw new ConfigValidationError(problems.fields);
  return result;
}

/** Accepts `{config: {...}}`, `{entries: [{key, value}]}` or the server-config export `{brand: {config: {...}}}`. */
export function extractImportEntries(body: unknown): Array<[string, unknown]> {
  const problems = new Problems();
  if (!isPlainObject(body)) throw new ConfigValidationError({ body: ['must be a JSON object'] });
  const shapes = ['config', 'entries', 'brand'].filter((k) => body[k] !== undefined);
  if (shapes.length !== 1) {
    throw new ConfigValidationError({ body: ['must carry exactly one of config, entries or brand.config'] });
  }
  let entries: Array<[string, unknown]> = [];
  if (body.config !== undefined) {
    if (!isPlainObject(body.config)) problems.add('config', 'must be an object');
    else entries = Object.entries(body.config);
  } else if (body.entries !== undefined) {
    if (!Array.isArray(body.entries)) problems.add('entries', 'must be a list of {key, value}');
    else {
      const seen = new Set<string>();
      body.entries.forEach((entry: unknown, i: number) => {
        if (!isPlainObject(entry) || typeof entry.key !== 'string' || !('value' in entry)) {
          problems.add(`entries[${i}]`, 'must be {key, value}');
        } else if (seen.has(entry.key)) {
          problems.add(`entries[${i}].key`, 'duplicate key');
        } else {
          seen.add(entry.key);
          entries.push([entry.key, entry.value]);
        }
      });
    }
  } else {
    const brand = body.brand;
    if (!isPlainObject(brand) || !isPlainObject(brand.config))
      problems.add('brand.config', 'must be an object');
    else entries = Object.entries(brand.config);
  }
  if (entries.length > 200) problems.add('body', 'at most 200 keys per import');
  if (!problems.empty) throw new ConfigValidationError(problems.fields);
  return entries;
}

/** Normalizes and validates a whole import; throws ConfigValidationError listing every problem. */
export function normalizeImport(body: unknown): NormalizedImport {
  const entries = extractImportEntries(body);
  const problems = new Problems();
  const warnings: string[] = [];
  const config: Record<string, unknown> = {};
  const legacy: Record<string, unknown> = {};
  const unregisteredKeys: string[] = [];
  let providerAllowlist: number[] | null = null;

  for (const [key, raw] of entries) {
    const normalized = normalizeOne(key, raw, problems, warnings);
    if (normalized === undefined) continue;
    if (key === PROVIDER_ALLOWLIST_KEY) providerAllowlist = normalized as number[];
    else if (LEGACY_PAYMENT_KEYS[key] !== undefined) legacy[key] = normalized;
    else {
      config[key] = normalized;
      if (!SPECS.has(key)) unregisteredKeys.push(key);
    }
  }

  const foldedLegacyKeys = Object.keys(LEGACY_PAYMENT_KEYS).filter((k) => entries.some(([key]) => key === k));
  const carriesPolicy = entries.some(([key]) => key === 'payment_policy');
  let shadowedLegacyKeys: string[] = [];
  let legacyPayment: Record<string, unknown> | null = null;
  if (foldedLegacyKeys.length > 0 && carriesPolicy) {
    // The import's own payment_policy wins over its scalars.
    if (config.payment_policy !== undefined) {
      const folded = fold(config.payment_policy as Record<string, unknown>, legacy, problems);
      config.payment_policy = folded.policy;
      shadowedLegacyKeys = folded.shadowed;
    }
  } else if (foldedLegacyKeys.length > 0) {
    // No payment_policy in the import: the stored one wins, merged at write time.
    legacyPayment = legacy;
  }
  if (!problems.empty) throw new ConfigValidationError(problems.fields);
  return {
    config,
    providerAllowlist,
    foldedLegacyKeys,
    shadowedLegacyKeys,
    legacyPayment,
    unregisteredKeys,
    warnings,
  };
}

/** The registry as served by GET /api/v1/brands/config/schema. */
export function schemaDocument(): Record<string, unknown> {
  return {
    keys: CONFIG_SCHEMA.map((spec) => ({
      key: spec.key,
      kind: spec.kind,
      storage: spec.storage,
      consumer: spec.consumer,
      description: spec.description,
      ...(spec.fields
        ? {
            fields: spec.fields.map((x) => ({
              name: x.name,
              type: x.type,
              min: x.min,
              max: x.max,
              description: x.description,
            })),
          }
        : {}),
      ...(spec.openSuffix ? { open_field_suffix: spec.openSuffix } : {}),
      ...(spec.kind === 'scalar' ? { min: spec.min, max: spec.max } : {}),
    })),
    legacy_payment_keys: LEGACY_PAYMENT_KEYS,
    precedence: [
      'feature_policy.*_enabled is the kill-switch layer; the effective decision is an AND with registration_policy / payment_policy',
      'payment_policy wins over the legacy scalar keys; imports fold legacy scalars into payment_policy (the one in the import, else the stored one) where it has no value; legacy scalars are never stored as keys of their own',
      'payment_policy.deposit_maintenance_* are tri-state: null falls back to global, false or "" is an explicit brand override',
    ],
    import_shapes: ['{"config": {...}}', '{"entries": [{"key", "value"}]}', '{"brand": {"config": {...}}}'],
  };
}
