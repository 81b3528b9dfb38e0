'use strict';
/**
 * Benchmark downstream double: the player service's `GET /internal/players/info`
 * answered with a fixed envelope, as fast as node:http allows, so the
 * benchmark measures what sits in front of it. Prints "listening <port>".
 */
const { createServer } = require('node:http');

const body = JSON.stringify({
  status: 0,
  msg: 'ok',
  data: {
    player_id: 42,
    account: 'bench-player',
    brand_id: 1,
    nickname: 'bench',
    level: 1,
    balance: '1000.00',
  },
});

const server = createServer((req, res) => {
  // Drain any request body, then answer.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
