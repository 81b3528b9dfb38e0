/**
 * The client address of a raw request, for code that runs outside Fastify's
 * request handling (a WebSocket upgrade is handed the bare IncomingMessage):
 * the same answer as Fastify's `request.ip` under TRUSTED_PROXIES, i.e. the
 * right-most `X-Forwarded-For` entry not added by a trusted proxy, else the
 * TCP peer. Behind the ingress every connection's peer is the ingress, so
 * keying a per-client limit on the peer would make it one limit for all.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { TRUSTED_PROXIES } from './http-app';

const trusted = proxyAddr.compile(TRUSTED_PROXIES.split(',').map((range) => range.trim()));

export function clientAddress(req: IncomingMessage): string {
  if (!req.socket?.remoteAddress) return 'unknown';
  return proxyAddr(req, trusted);
}
