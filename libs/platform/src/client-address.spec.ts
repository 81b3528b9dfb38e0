import type { IncomingMessage } from 'node:http';
import { clientAddress } from './client-address';

function request(peer: string | undefined, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('is the peer when nothing was forwarded', () => {
    expect(clientAddress(request('127.0.0.1'))).toBe('127.0.0.1');
  });

  it('takes the right-most entry not appended by a trusted (private or loopback) proxy', () => {
    expect(clientAddress(request('10.0.0.5', '198.51.100.1, 203.0.113.7, 10.0.0.9'))).toBe('203.0.113.7');
  });

  it('ignores X-Forwarded-For from a peer outside the trusted ranges', () => {
    expect(clientAddress(request('203.0.113.50', '198.51.100.1'))).toBe('203.0.113.50');
  });

  it('is "unknown" for a socket without an address', () => {
    expect(clientAddress(request(undefined, '198.51.100.1'))).toBe('unknown');
  });
});
