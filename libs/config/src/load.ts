import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { BootGuardError } from './errors';
import type { Env } from './env';
import { type GuardProfile, runBootGuards } from './guards';
import {
  AdminConfig,
  AdminWorkerConfig,
  AgentConfig,
  AgentWorkerConfig,
  CommonConfig,
  GatewayConfig,
  PlayerConfig,
  PlayerWorkerConfig,
} from './schema';

export type ServiceName =
  'gateway' | 'player' | 'player-worker' | 'agent' | 'agent-worker' | 'admin' | 'admin-worker';

/** The label each process carries in logs, metrics and /health (the seeds' names). */
export const SERVICE_LABEL: Record<ServiceName, string> = {
  gateway: 'gateway',
  player: 'player_service',
  'player-worker': 'player_worker',
  agent: 'agent_service',
  'agent-worker': 'agent_worker',
  admin: 'admin_service',
  'admin-worker': 'admin_worker',
};

interface ServiceSpec<T extends CommonConfig> {
  schema: new () => T;
  profile: GuardProfile;
}

export const SERVICE_SPECS = {
  gateway: {
    schema: GatewayConfig,
    profile: {
      pii: false,
      verifier: true,
      issuer: false,
      keysFile: true,
      // seed 003: the token it presents downstream and the key that signs wallet writes.
      required: ['INTERNAL_SERVICE_TOKEN_GATEWAY', 'BRAND_SIGNING_KEY'],
    },
  },
  // seed 000: the token the player service accepts from the gateway.
  player: {
    schema: PlayerConfig,
    profile: { pii: true, verifier: true, issuer: true, required: ['INTERNAL_SERVICE_TOKEN_GATEWAY'] },
  },
  'player-worker': { schema: PlayerWorkerConfig, profile: { pii: true, verifier: false, issuer: false } },
  agent: { schema: AgentConfig, profile: { pii: true, verifier: true, issuer: true } },
  'agent-worker': { schema: AgentWorkerConfig, profile: { pii: true, verifier: false, issuer: false } },
  admin: { schema: AdminConfig, profile: { pii: true, verifier: true, issuer: true } },
  'admin-worker': { schema: AdminWorkerConfig, profile: { pii: true, verifier: false, issuer: false } },
} satisfies Record<ServiceName, ServiceSpec<CommonConfig>>;

export interface ConfigTypes {
  gateway: GatewayConfig;
  player: PlayerConfig;
  'player-worker': PlayerWorkerConfig;
  agent: AgentConfig;
  'agent-worker': AgentWorkerConfig;
  admin: AdminConfig;
  'admin-worker': AdminWorkerConfig;
}

/** Every variable a schema declares, for .env.example checks and docs. */
export function declaredVariables(schema: new () => object): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))].sort();
}

/**
 * Reads, validates and guards one app's configuration. Called once in
 * main.ts before NestFactory.create; throws BootGuardError whose message is
 * the one line to print. Blank values count as unset.
 */
export function loadConfig<S extends ServiceName>(
  service: S,
  env: Env = process.env,
): Readonly<ConfigTypes[S]> {
  const spec = SERVICE_SPECS[service] as ServiceSpec<ConfigTypes[S]>;
  const plain: Record<string, string> = {};
  for (const name of declaredVariables(spec.schema)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') plain[name] = value;
  }
  if (plain.MULTI_BRAND_ENFORCEMENT === undefined) {
    throw new BootGuardError('MULTI_BRAND_ENFORCEMENT', 'is required (off, observe or enforce)');
  }
  const config = plainToInstance(spec.schema, plain);
  const errors = validateSync(config as object, { skipMissingProperties: false });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new BootGuardError(first.property, reason.replace(new RegExp(`^${first.property}\\s*`), ''));
  }
  runBootGuards(env, spec.profile);
  return Object.freeze(config);
}

export function guardProfile(service: ServiceName): GuardProfile {
  return SERVICE_SPECS[service].profile;
}
