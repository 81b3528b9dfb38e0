/**
 * CLI entry point: `node dist/apps/cli/main.js <command>`. This is a tool,
 * so it reads process.env here, once, and hands it to the commands.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runCli } from './cli';

// Library log lines (e.g. the audited cross-brand SQL notes) stay quiet in an operator tool unless they warn.
Logger.overrideLogger(['error', 'warn']);

// eslint-disable-next-line no-restricted-properties -- the CLI is an operator tool (STYLE.md allows tools to read the environment)
const env = process.env;

runCli(process.argv.slice(2), {
  env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
