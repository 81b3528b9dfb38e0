/**
 * Nest's default console logger prints coloured multi-line objects on
 * stdout, which would interleave with a command's report. The operator
 * commands that use the data layer route library warnings and errors to the
 * command's stderr as one line each and drop info/debug chatter (such as
 * crossBrandSql's per-statement reason line: the command that runs those
 * statements states its reason in its own report and usage).
 */
import { Logger, type LoggerService } from '@nestjs/common';

function line(message: unknown, context: unknown[]): string {
  const text = typeof message === 'string' ? message : JSON.stringify(message);
  const ctx = context.filter((c): c is string => typeof c === 'string').pop();
  return ctx ? `[${ctx}] ${text}` : text;
}

export function routeLibraryLogs(err: (line: string) => void): void {
  const logger: LoggerService = {
    log: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    warn: (message: unknown, ...context: unknown[]) => err(`warn: ${line(message, context)}`),
    error: (message: unknown, ...context: unknown[]) => err(`error: ${line(message, context)}`),
    fatal: (message: unknown, ...context: unknown[]) => err(`fatal: ${line(message, context)}`),
  };
  Logger.overrideLogger(logger);
}
