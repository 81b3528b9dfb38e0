import { DomainError, DownstreamUnavailableError } from '@app/http';

/**
 * A Redis operation on a request path: a failure of the store is status 7
 * (CONTRACTS §2, fail closed), never an unhandled 500. Domain errors thrown
 * by `fn` itself pass through unchanged.
 */
export async function redisOrUnavailable<T>(store: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DownstreamUnavailableError(`${store} unavailable`);
  }
}

/** A MULTI/EXEC the same way; a command that failed inside the transaction counts as a failure too. */
export async function execOrUnavailable(
  store: string,
  exec: () => Promise<[Error | null, unknown][] | null>,
): Promise<[Error | null, unknown][] | null> {
  const replies = await redisOrUnavailable(store, exec);
  if (replies?.some(([err]) => err instanceof Error))
    throw new DownstreamUnavailableError(`${store} unavailable`);
  return replies;
}
