/**
 * The shape of one operator command. A command gets its arguments, the
 * environment (the CLI is a tool: it may read process.env, once, in main.ts)
 * and two writers; it returns the process exit code.
 */
export type Env = Record<string, string | undefined>;

export interface CommandContext {
  args: string[];
  env: Env;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Shown by `<command> --help`. */
  usage: string;
  run(ctx: CommandContext): Promise<number>;
}

/** Thrown for bad arguments: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** `--name value` and `--flag` pairs; positional arguments are refused. */
export function parseFlags(args: string[], known: readonly string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [, name, inline] = match;
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (inline !== undefined) flags[name] = inline;
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags[name] = args[++i];
    else flags[name] = true;
  }
  return flags;
}
