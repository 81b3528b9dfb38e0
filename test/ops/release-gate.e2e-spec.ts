/**
 * `release-gate` (ADR-009 Phase 16 gate, seeds' "Phase 16 release gate
 * requires the bare variant to be absent") run as the built CLI with the
 * environment a service would get: it passes only without the legacy shared
 * INTERNAL_SERVICE_TOKEN and with PER_CALLER_TOKEN_REQUIRED=on, names each
 * problem, and never prints a token value.
 */
import { ensureCliBuilt, runOps } from './support';

describe('ops release-gate', () => {
  jest.setTimeout(60_000);

  beforeAll(async () => {
    await ensureCliBuilt();
  });

  it('shows its usage with --help and refuses arguments', async () => {
    const help = await runOps(['release-gate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: release-gate');
    const extra = await runOps(['release-gate', '--strict']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unknown option --strict');
  });

  it('passes with per-caller tokens required and no legacy shared token', async () => {
    const result = await runOps(['release-gate'], {
      PER_CALLER_TOKEN_REQUIRED: 'on',
      INTERNAL_SERVICE_TOKEN_GATEWAY: 'gw-per-caller-secret',
    });
    expect(result).toEqual({
      code: 0,
      stdout: 'release gate: pass (per-caller tokens required, no legacy shared token)\n',
      stderr: '',
    });
  });

  it('fails while the legacy shared token is still set, without printing it', async () => {
    const result = await runOps(['release-gate'], {
      PER_CALLER_TOKEN_REQUIRED: 'on',
      INTERNAL_SERVICE_TOKEN: 'legacy-shared-secret',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'release gate: INTERNAL_SERVICE_TOKEN: the legacy shared token is still set; remove it\n',
    );
    expect(result.stderr).not.toContain('legacy-shared-secret');
  });

  it('fails while PER_CALLER_TOKEN_REQUIRED is off or unset, one line per problem', async () => {
    const off = await runOps(['release-gate'], { PER_CALLER_TOKEN_REQUIRED: 'off' });
    expect(off.code).toBe(1);
    expect(off.stderr).toBe('release gate: PER_CALLER_TOKEN_REQUIRED: must be on\n');

    const both = await runOps(['release-gate'], { INTERNAL_SERVICE_TOKEN: 'x' });
    expect(both.code).toBe(1);
    expect(both.stderr.trim().split('\n')).toEqual([
      'release gate: INTERNAL_SERVICE_TOKEN: the legacy shared token is still set; remove it',
      'release gate: PER_CALLER_TOKEN_REQUIRED: must be on',
    ]);
  });
});
