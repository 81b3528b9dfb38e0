import type { IncomingMessage } from 'node:http';
import { InvalidInputError } from '@app/http';
import { bodyBrandId, editableBody, isPlainObject, playerIdOf } from '../proxy/body';
import { clientIp } from './client-ip';
import { sessionKey, sessionMatches } from './session-check.middleware';

const req = (xff: string | undefined, remote = '127.0.0.1') =>
  ({
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
    socket: { remoteAddress: remote },
  }) as unknown as IncomingMessage;

describe('clientIp', () => {
  it('takes the right-most X-Forwarded-For entry (the one the load balancer appended)', () => {
    expect(clientIp(req('1.1.1.1, 2.2.2.2'))).toBe('2.2.2.2');
    expect(clientIp(req(' 3.3.3.3 '))).toBe('3.3.3.3');
  });
  it('falls back to the socket address', () => {
    expect(clientIp(req(undefined, '10.0.0.1'))).toBe('10.0.0.1');
    expect(clientIp(req('', '10.0.0.2'))).toBe('10.0.0.2');
  });
});

describe('session matching', () => {
  it('builds the brand-prefixed key', () => {
    expect(sessionKey(3, 'alice')).toBe('user-session:brand:3:alice');
  });
  it('requires the same jti and, when present, the same player id', () => {
    expect(sessionMatches(JSON.stringify({ jti: 'j1', player_id: 9 }), 'j1', '9')).toBe(true);
    expect(sessionMatches(JSON.stringify({ jti: 'j1' }), 'j1', '9')).toBe(true);
    expect(sessionMatches(JSON.stringify({ jti: 'j2', player_id: 9 }), 'j1', '9')).toBe(false);
    expect(sessionMatches(JSON.stringify({ jti: 'j1', player_id: 8 }), 'j1', '9')).toBe(false);
    expect(sessionMatches(null, 'j1', '9')).toBe(false);
    expect(sessionMatches('not json', 'j1', '9')).toBe(false);
    expect(sessionMatches('"j1"', 'j1', '9')).toBe(false);
    expect(sessionMatches(JSON.stringify({ jti: 5 }), '5', '9')).toBe(false);
  });
});

describe('body helpers', () => {
  it('recognises plain objects only', () => {
    expect(isPlainObject({ a: 1 })).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([1])).toBe(false);
    expect(isPlainObject(Buffer.from('x'))).toBe(false);
    expect(isPlainObject('x')).toBe(false);
  });
  it('parses body brand ids', () => {
    expect(bodyBrandId(3)).toBe(3);
    expect(bodyBrandId('4')).toBe(4);
    expect(bodyBrandId(0)).toBeNull();
    expect(bodyBrandId('x')).toBeNull();
    expect(bodyBrandId(1.5)).toBeNull();
  });
  it('turns the JWT sub into a numeric player id when it is one', () => {
    expect(playerIdOf('42')).toBe(42);
    expect(playerIdOf('p-42')).toBe('p-42');
  });
  it('edits JSON objects and forms in their own encoding, and nothing else', () => {
    const json = editableBody(Buffer.from('{"a":1,"b":"x"}'), 'application/json; charset=utf-8');
    expect(json?.value).toEqual({ a: 1, b: 'x' });
    expect(json?.encode({ ...json.value, domain: 'd' })).toBe('{"a":1,"b":"x","domain":"d"}');
    const form = editableBody(Buffer.from('a=1&b=2&b=3'), 'application/x-www-form-urlencoded');
    expect(form?.value).toEqual({ a: '1', b: ['2', '3'] });
    expect(form?.encode({ ...form.value, domain: 'd' })).toBe('a=1&b=2&b=3&domain=d');
    expect(editableBody(Buffer.from('[1,2]'), 'application/json')).toBeNull();
    expect(editableBody(Buffer.from('<x/>'), 'application/xml')).toBeNull();
    expect(editableBody(Buffer.alloc(0), 'application/json')).toBeNull();
    expect(editableBody(undefined, 'application/json')).toBeNull();
    expect(() => editableBody(Buffer.from('{nope'), 'application/json')).toThrow(InvalidInputError);
  });
});
