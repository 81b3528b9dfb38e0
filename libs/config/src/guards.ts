import { createPrivateKey, createPublicKey } from 'node:crypto';
import { BootGuardError } from './errors';
import { type Env, isBlank, isProductionEnv, parseOnOff, productionMarker } from './env';

/** What a process does, which decides the guards it runs (ADR-009, T7-B4). */
export interface GuardProfile {
  /** Holds PII or password hashes: AES_KEY / AES_IV / PASSWORD_SALT. */
  pii: boolean;
  /** Verifies RS256 JWTs: JWT_PUBLIC_KEYS. */
  verifier: boolean;
  /** Mints RS256 JWTs: JWT_PRIVATE_KEY + JWT_KID. */
  issuer: boolean;
  /** May read its public keys from JWT_PUBLIC_KEYS_FILE instead (gateway hot rotation). */
  keysFile?: boolean;
  /** Further variables its seed marks "required in production" (internal tokens, signing key). */
  required?: readonly string[];
}

/** Undo the `\n` escaping that env files use for multi-line PEM values. */
export function unescapePem(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

/** Parses JWT_PUBLIC_KEYS ({kid: PEM}); throws a BootGuardError naming it. */
export function parsePublicKeys(raw: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  if (isBlank(raw)) return keys;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw as string);
  } catch {
    throw new BootGuardError('JWT_PUBLIC_KEYS', 'must be a JSON object {kid: PEM}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BootGuardError('JWT_PUBLIC_KEYS', 'must be a JSON object {kid: PEM}');
  }
  for (const [kid, pem] of Object.entries(parsed as Record<string, unknown>)) {
    if (isBlank(kid) || typeof pem !== 'string' || isBlank(pem)) {
      throw new BootGuardError('JWT_PUBLIC_KEYS', 'every entry needs a non-empty kid and PEM');
    }
    const text = unescapePem(pem);
    try {
      const key = createPublicKey(text);
      if (key.asymmetricKeyType !== 'rsa') throw new Error('not rsa');
    } catch {
      throw new BootGuardError('JWT_PUBLIC_KEYS', `entry "${kid}" is not an RSA public key`);
    }
    keys.set(kid, text);
  }
  return keys;
}

function checkByteLength(env: Env, name: 'AES_KEY' | 'AES_IV', bytes: number): void {
  const value = env[name];
  if (!isBlank(value) && Buffer.byteLength(value as string, 'utf8') !== bytes) {
    throw new BootGuardError(name, `must be exactly ${bytes} bytes`);
  }
}

/**
 * The boot guards of ADR-009 and the seeds. Each refusal names its variable;
 * outside production the PII and key guards are no-ops (runtime helpers warn
 * and count instead), but malformed values are refused everywhere.
 */
export function runBootGuards(env: Env, profile: GuardProfile): void {
  const production = isProductionEnv(env);
  const marker = productionMarker(env);

  // assert_recovery_token_exposure_safe: any of the three variables counts.
  // Read as the config schema reads it: `true`, `1` and `yes` are on too.
  if (parseOnOff(env.RECOVERY_EXPOSE_TOKEN_FOR_TESTS) === 'on' && production) {
    throw new BootGuardError(
      'RECOVERY_EXPOSE_TOKEN_FOR_TESTS',
      `must not be on when ${marker} is production-grade`,
    );
  }

  if (production) {
    for (const name of profile.required ?? []) {
      if (isBlank(env[name]))
        throw new BootGuardError(name, `is required when ${marker} is production-grade`);
    }
  }

  if (profile.pii) {
    if (production) {
      for (const name of ['AES_KEY', 'AES_IV', 'PASSWORD_SALT'] as const) {
        if (isBlank(env[name])) {
          throw new BootGuardError(name, `is required when ${marker} is production-grade`);
        }
      }
    }
    checkByteLength(env, 'AES_KEY', 32);
    checkByteLength(env, 'AES_IV', 16);
  }

  if (profile.verifier) {
    const keys = parsePublicKeys(env.JWT_PUBLIC_KEYS);
    const fromFile = profile.keysFile === true && !isBlank(env.JWT_PUBLIC_KEYS_FILE);
    if (production && keys.size === 0 && !fromFile) {
      throw new BootGuardError('JWT_PUBLIC_KEYS', `is required when ${marker} is production-grade`);
    }
  }

  if (profile.issuer) {
    if (production && isBlank(env.JWT_PRIVATE_KEY)) {
      throw new BootGuardError('JWT_PRIVATE_KEY', `is required when ${marker} is production-grade`);
    }
    if (production && isBlank(env.JWT_KID)) {
      throw new BootGuardError('JWT_KID', `is required when ${marker} is production-grade`);
    }
    if (!isBlank(env.JWT_PRIVATE_KEY)) {
      try {
        const key = createPrivateKey(unescapePem(env.JWT_PRIVATE_KEY as string));
        if (key.asymmetricKeyType !== 'rsa') throw new Error('not rsa');
      } catch {
        throw new BootGuardError('JWT_PRIVATE_KEY', 'is not an RSA private key (PEM)');
      }
      if (isBlank(env.JWT_KID)) {
        throw new BootGuardError('JWT_KID', 'is required when JWT_PRIVATE_KEY is set');
      }
    }
  }
}

export interface ReleaseGateResult {
  ok: boolean;
  problems: string[];
}

/**
 * Phase 16 release gate: the bare shared INTERNAL_SERVICE_TOKEN must be gone
 * and PER_CALLER_TOKEN_REQUIRED must be on.
 */
export function releaseGate(env: Env): ReleaseGateResult {
  const problems: string[] = [];
  if (env.INTERNAL_SERVICE_TOKEN !== undefined) {
    problems.push('INTERNAL_SERVICE_TOKEN: the legacy shared token is still set; remove it');
  }
  if ((env.PER_CALLER_TOKEN_REQUIRED ?? '').trim().toLowerCase() !== 'on') {
    problems.push('PER_CALLER_TOKEN_REQUIRED: must be on');
  }
  return { ok: problems.length === 0, problems };
}
