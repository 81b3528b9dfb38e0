import { BusinessRuleError, DownstreamUnavailableError } from '@app/http';
import { execOrUnavailable, redisOrUnavailable } from './unavailable';

describe('redisOrUnavailable', () => {
  it('answers with the value of a working store', async () => {
    await expect(redisOrUnavailable('session store', async () => 'OK')).resolves.toBe('OK');
  });

  it('turns a store failure into status 7 naming the store, without its message', async () => {
    const err = await redisOrUnavailable('session store', () =>
      Promise.reject(new Error('ECONNREFUSED 10.0.0.1')),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownstreamUnavailableError);
    expect((err as Error).message).toBe('session store unavailable');
  });

  it('passes a domain error through unchanged', async () => {
    const refusal = new BusinessRuleError('invalid code');
    await expect(redisOrUnavailable('otp store', () => Promise.reject(refusal))).rejects.toBe(refusal);
  });
});

describe('execOrUnavailable', () => {
  it('counts a command that failed inside the transaction as a store failure', async () => {
    await expect(
      execOrUnavailable('session store', async () => [
        [null, 'OK'],
        [new Error('WRONGTYPE'), null],
      ]),
    ).rejects.toBeInstanceOf(DownstreamUnavailableError);
    await expect(execOrUnavailable('session store', async () => [[null, 1]])).resolves.toEqual([[null, 1]]);
  });
});
