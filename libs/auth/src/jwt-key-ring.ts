import { JwtVerifier } from './jwt-verifier';
import type { ClaimsFor, TokenType } from './jwt.types';

/**
 * Holds the process's current `JwtVerifier` and rebuilds it after key
 * rotation (ADR-009 "Key rotation ... with overlap"; CONTRACTS §4 pub/sub
 * `jwt_public_keys_changed`).
 *
 * Verifier keys are cached in process (STACK: no Redis round trip per
 * request for what may be cached). `invalidate()` drops the cached verifier;
 * the next `verify` calls `loadKeys()` again, which is whatever re-reads the
 * allow list (a keys file, a re-parsed env map, a config service). If that
 * reload fails, the last good verifier keeps serving and the failure is
 * logged, so a bad rotation push cannot lock every user out; the next
 * invalidation retries. A load started before an invalidation is never
 * cached after it.
 */

export const JWT_KEYS_CHANNEL = 'jwt_public_keys_changed';

type MessageListener = (channel: string, message: string) => void;

/** The part of an ioredis subscriber connection this needs (a dedicated `Redis` in subscriber mode fits). */
export interface KeyChangeSubscriber {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: MessageListener): unknown;
  removeListener(event: 'message', listener: MessageListener): unknown;
}

export interface KeyRingLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface JwtKeyRingOptions {
  /** Returns kid → SPKI PEM; called at first use and after every invalidation. */
  loadKeys: () => ReadonlyMap<string, string> | Promise<ReadonlyMap<string, string>>;
  service: string;
  clockToleranceSeconds?: number;
  logger?: KeyRingLogger;
}

export class JwtKeyRing {
  private pending: Promise<JwtVerifier> | null = null;
  private lastGood: JwtVerifier | null = null;
  private generation = 0;

  constructor(private readonly options: JwtKeyRingOptions) {}

  /** The current verifier, loading keys if none is cached. */
  verifier(): Promise<JwtVerifier> {
    if (this.pending === null) {
      const generation = this.generation;
      const build = this.build();
      this.pending = build;
      build.catch(() => {
        if (this.pending === build && this.generation === generation) this.pending = null;
      });
    }
    return this.pending;
  }

  async verify<T extends TokenType>(token: string, expectedTyp: T): Promise<ClaimsFor<T>> {
    return (await this.verifier()).verify(token, expectedTyp);
  }

  /** Forget the cached keys; the next verification reloads them. */
  invalidate(): void {
    this.generation += 1;
    this.pending = null;
  }

  /**
   * Invalidate on every message on `channel`. Returns a function that removes
   * the listener (the channel subscription itself belongs to the connection).
   */
  async subscribeToKeyChanges(
    subscriber: KeyChangeSubscriber,
    channel = JWT_KEYS_CHANNEL,
  ): Promise<() => void> {
    const listener: MessageListener = (received) => {
      if (received === channel) this.invalidate();
    };
    subscriber.on('message', listener);
    await subscriber.subscribe(channel);
    return () => {
      subscriber.removeListener('message', listener);
    };
  }

  private async build(): Promise<JwtVerifier> {
    try {
      const keys = await this.options.loadKeys();
      const verifier = new JwtVerifier({
        publicKeys: keys,
        service: this.options.service,
        clockToleranceSeconds: this.options.clockToleranceSeconds,
      });
      this.lastGood = verifier;
      return verifier;
    } catch (err) {
      if (!this.lastGood) throw err;
      this.options.logger?.warn(
        { service: this.options.service, err: err instanceof Error ? err.message : String(err) },
        'JWT public keys reload failed; keeping the previous key set',
      );
      return this.lastGood;
    }
  }
}

/** The same class under the name the gateway design uses. */
export { JwtKeyRing as VerifierProvider };
