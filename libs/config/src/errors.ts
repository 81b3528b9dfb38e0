/**
 * A boot guard refusal. main.ts prints `message` as one line on stderr and
 * exits non-zero; the message always names the offending variable first.
 */
export class BootGuardError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'BootGuardError';
  }
}
