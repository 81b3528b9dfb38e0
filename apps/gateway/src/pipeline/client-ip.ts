/**
 * The client address the rate limit keys on (issue 3 point 9: "per client").
 * The gateway sits behind one TLS-terminating load balancer (gateway seed:
 * "trust assumes TLS-terminating LB upstream"), which appends the address it
 * saw to `X-Forwarded-For`. The right-most entry is therefore the one a
 * client cannot forge; earlier entries are client-supplied and ignored.
 * Without the header (direct connections, tests) the socket address is used.
 */
import type { IncomingMessage } from 'node:http';

export function clientIp(req: IncomingMessage): string {
  const header = req.headers['x-forwarded-for'];
  const raw = Array.isArray(header) ? header[header.length - 1] : header;
  if (raw) {
    const last = raw.slice(raw.lastIndexOf(',') + 1).trim();
    if (last !== '') return last;
  }
  return req.socket?.remoteAddress ?? 'unknown';
}
