/**
 * The operator CLI dispatcher (CONTRACTS §10): `node dist/apps/cli/main.js
 * <command> [options]`. A plain command map, no Nest HTTP app; `--help`
 * lists the commands, `<command> --help` shows one. Errors print their
 * message only (never a stack, a URL or a secret) and exit 1; bad usage
 * exits 2.
 */
import type { Command, CommandContext, Env } from './command';
import { UsageError } from './command';
import { COMMANDS } from './commands';

export interface CliIo {
  env: Env;
  out: (line: string) => void;
  err: (line: string) => void;
}

function help(commands: Record<string, Command>): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: main.js <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'main.js <command> --help shows one command.',
  ].join('\n');
}

export async function runCli(
  argv: string[],
  io: CliIo,
  commands: Record<string, Command> = COMMANDS,
): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help(commands));
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(`unknown command ${JSON.stringify(name)}`);
    io.err(help(commands));
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: ${command.usage}`);
    return 0;
  }
  const ctx: CommandContext = { args, env: io.env, out: io.out, err: io.err };
  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${name}: ${err.message}`);
      io.err(`usage: ${command.usage}`);
      return 2;
    }
    io.err(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
