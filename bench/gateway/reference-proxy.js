'use strict';
/**
 * Benchmark baseline (b): a minimal Fastify reverse proxy to the double with
 * an undici Pool: same path, headers minus hop-by-hop and host, body
 * streamed both ways. No auth, no brand, no Redis: the floor any proxy pays.
 * Prints "listening <port>".
 */
const Fastify = require('fastify');
const { Pool } = require('undici');

const upstream = new Pool(process.env.UPSTREAM_URL, { connections: null });
const HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'upgrade',
  'host',
  'content-length',
  'proxy-connection',
  'trailer',
]);

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

app.all('/*', async (request, reply) => {
  const headers = {};
  for (const [name, value] of Object.entries(request.headers)) if (!HOP.has(name)) headers[name] = value;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const res = await upstream.request({
    method: request.method,
    path: request.url,
    headers,
    body: hasBody ? request.body : undefined,
  });
  const out = {};
  for (const [name, value] of Object.entries(res.headers)) if (!HOP.has(name)) out[name] = value;
  return reply.code(res.statusCode).headers(out).send(res.body);
});

app.listen({ port: Number(process.env.PORT || 0), host: '127.0.0.1' }).then(() => {
  process.stdout.write(`listening ${app.server.address().port}\n`);
});
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
