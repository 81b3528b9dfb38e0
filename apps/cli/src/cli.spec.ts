import type { Command } from './command';
import { parseFlags, UsageError } from './command';
import { runCli } from './cli';
import { COMMANDS } from './commands';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { env: {}, out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const boom: Command = {
  summary: 'fails',
  usage: 'boom',
  run: async () => {
    throw new Error('connection refused');
  },
};
const strict: Command = {
  summary: 'takes --name',
  usage: 'strict --name <n>',
  run: async ({ args, out }) => {
    const flags = parseFlags(args, ['name']);
    if (typeof flags.name !== 'string') throw new UsageError('--name is required');
    out(`hello ${flags.name}`);
    return 0;
  },
};

describe('cli dispatcher', () => {
  it('lists the migration commands', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    expect(t.out.join('\n')).toMatch(/db:setup\s+create the owner and app roles and the database/);
    expect(t.out.join('\n')).toMatch(/migrate\s+apply every pending migration as the owner/);
    expect(t.out.join('\n')).toMatch(/migrate:revert\s+revert the most recent migration/);
    expect(Object.keys(COMMANDS)).toEqual(expect.arrayContaining(['db:setup', 'migrate', 'migrate:revert']));
  });

  it('exits 2 with the list when no command is given', async () => {
    const t = io();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.out.join('\n')).toContain('commands:');
  });

  it('refuses an unknown command with exit code 2', async () => {
    const t = io();
    expect(await runCli(['toString'], t.io)).toBe(2);
    expect(t.err[0]).toBe('unknown command "toString"');
  });

  it('shows one command with <command> --help, without running it', async () => {
    const t = io();
    expect(await runCli(['boom', '--help'], t.io, { boom })).toBe(0);
    expect(t.out).toEqual(['usage: boom']);
  });

  it('prints only the message of a failure and exits 1', async () => {
    const t = io();
    expect(await runCli(['boom'], t.io, { boom })).toBe(1);
    expect(t.err).toEqual(['boom failed: connection refused']);
  });

  it('parses --name value and --name=value, and reports bad usage with exit 2', async () => {
    const t = io();
    expect(await runCli(['strict', '--name', 'ann'], t.io, { strict })).toBe(0);
    expect(await runCli(['strict', '--name=bo'], t.io, { strict })).toBe(0);
    expect(t.out).toEqual(['hello ann', 'hello bo']);
    expect(await runCli(['strict', '--nope', 'x'], t.io, { strict })).toBe(2);
    expect(await runCli(['strict', 'positional'], t.io, { strict })).toBe(2);
    expect(await runCli(['strict'], t.io, { strict })).toBe(2);
    expect(t.err).toEqual([
      'strict: unknown option --nope',
      'usage: strict --name <n>',
      'strict: unexpected argument "positional"',
      'usage: strict --name <n>',
      'strict: --name is required',
      'usage: strict --name <n>',
    ]);
  });

  it('migrate refuses arguments', async () => {
    const t = io();
    expect(await runCli(['migrate', '--force'], t.io)).toBe(2);
  });
});
