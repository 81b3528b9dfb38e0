/**
 * `release-gate`: the Phase 16 gate of ADR-009. Fails while the bare shared
 * INTERNAL_SERVICE_TOKEN is still set or PER_CALLER_TOKEN_REQUIRED is not on,
 * reading the environment it is given (run it with each service's env).
 */
import { releaseGate } from '@app/config';
import type { Command } from '../command';
import { parseFlags } from '../command';

export const releaseGateCommand: Command = {
  summary: 'fail unless the legacy shared token is gone and per-caller tokens are required',
  usage:
    'release-gate\n  Reads INTERNAL_SERVICE_TOKEN and PER_CALLER_TOKEN_REQUIRED from the environment.\n  Exit 0 when the gate passes, 1 with one line per problem otherwise.',
  async run({ args, env, out, err }) {
    parseFlags(args, []);
    const result = releaseGate(env);
    if (result.ok) {
      out('release gate: pass (per-caller tokens required, no legacy shared token)');
      return 0;
    }
    for (const problem of result.problems) err(`release gate: ${problem}`);
    return 1;
  },
};
