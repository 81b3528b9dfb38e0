import { BootGuardError, loadConfig, type ConfigTypes, type ServiceName } from '@app/config';

/**
 * Entry point wrapper for every app: read and guard the configuration once,
 * before NestFactory.create; a refusal prints ONE line naming the variable
 * and exits non-zero (issue: boot guards).
 */
export function runMain<S extends ServiceName>(
  service: S,
  start: (config: Readonly<ConfigTypes[S]>) => Promise<void>,
): void {
  let config: Readonly<ConfigTypes[S]>;
  try {
    // The one place an app hands its environment to the config lib (read once, before Nest starts).
    // eslint-disable-next-line no-restricted-properties
    config = loadConfig(service, process.env);
  } catch (err) {
    const line = err instanceof BootGuardError ? err.message : `configuration error: ${(err as Error).message}`;
    process.stderr.write(`[${service}] refusing to start: ${line}\n`);
    process.exit(1);
  }
  start(config).catch((err: unknown) => {
    // A guard that can only run once connected (the database role check) refuses like the config guards.
    if (err instanceof BootGuardError) {
      process.stderr.write(`[${service}] refusing to start: ${err.message}\n`);
      process.exit(1);
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`[${service}] failed to start: ${message}\n`);
    process.exit(1);
  });
}
