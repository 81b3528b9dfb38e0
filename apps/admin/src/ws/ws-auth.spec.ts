/** The admin socket's credential rules (seed 004 T4-D-I7), as pure functions. */
import {
  decideCredential,
  offeredProtocols,
  queryToken,
  selectProtocol,
  tokenFromProtocols,
  WS_CLOSE,
} from './ws-auth';

describe('admin ws credentials', () => {
  it('splits Sec-WebSocket-Protocol on commas with or without spaces', () => {
    expect(offeredProtocols('bearer,abc.def.ghi')).toEqual(['bearer', 'abc.def.ghi']);
    expect(offeredProtocols(' bearer ,  abc ')).toEqual(['bearer', 'abc']);
    expect(offeredProtocols(undefined)).toEqual([]);
  });

  it('takes the token that follows bearer', () => {
    expect(tokenFromProtocols('bearer, t.o.k')).toBe('t.o.k');
    expect(tokenFromProtocols('t.o.k, bearer')).toBeNull();
    expect(tokenFromProtocols('json, t.o.k')).toBeNull();
  });

  it('selects only "bearer", never the token', () => {
    expect(selectProtocol(new Set(['bearer', 'a.b.c']))).toBe('bearer');
    expect(selectProtocol(new Set(['a.b.c']))).toBe(false);
  });

  it('reads ?token= as present-but-empty or absent', () => {
    expect(queryToken('/ws?token=abc')).toBe('abc');
    expect(queryToken('/ws?token=')).toBe('');
    expect(queryToken('/ws')).toBeUndefined();
  });

  const decide = (
    protocolHeader: string | undefined,
    url: string,
    production: boolean,
    allowQueryToken: boolean,
  ) => decideCredential({ protocolHeader, url, production, allowQueryToken });

  it('refuses any query token in production with 4003, even beside a subprotocol token', () => {
    expect(decide('bearer, a.b.c', '/ws?token=x', true, true)).toEqual({
      kind: 'refuse',
      code: WS_CLOSE.QUERY_TOKEN_FORBIDDEN,
      reason: 'query_token_in_production',
    });
  });

  it('prefers the subprotocol and uses the query token only in dev with the flag on', () => {
    expect(decide('bearer, a.b.c', '/ws?token=x', false, true)).toEqual({
      kind: 'token',
      token: 'a.b.c',
      source: 'subprotocol',
    });
    expect(decide(undefined, '/ws?token=x', false, true)).toEqual({
      kind: 'token',
      token: 'x',
      source: 'query',
    });
    expect(decide(undefined, '/ws?token=x', false, false)).toMatchObject({
      kind: 'refuse',
      code: WS_CLOSE.UNAUTHORIZED,
    });
    expect(decide(undefined, '/ws', true, false)).toMatchObject({
      kind: 'refuse',
      code: WS_CLOSE.UNAUTHORIZED,
    });
  });
});
