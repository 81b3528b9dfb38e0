// Unit tests for the SMS client: provider shapes, CoolSMS signing, timeout, and no leak of code/number in outcomes.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SmsClient } from './sms-client';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function provider(handler: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const entry = { url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('SmsClient', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('is unprovisioned without SMS_URL (http) and without keys (coolsms), and never calls out', async () => {
    const fetchImpl = jest.fn();
    const http = new SmsClient({ timeoutMs: 100, fetchImpl });
    const cool = new SmsClient({ platform: 'coolsms', apiKey: 'k', timeoutMs: 100, fetchImpl });
    expect(await http.send('+821012345678', 'code 123456')).toEqual({ delivered: false, platform: 'http', reason: 'unprovisioned' });
    expect(await cool.send('+821012345678', 'code 123456')).toEqual({ delivered: false, platform: 'coolsms', reason: 'unprovisioned' });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('posts {to, text, from} to SMS_URL on the generic platform', async () => {
    const p = await provider((_req, res) => res.writeHead(200).end('{}'));
    servers.push(p.server);
    const client = new SmsClient({ url: `${p.url}/send`, from: '0700', timeoutMs: 1000 });
    expect(await client.send('+821012345678', 'your code 123456')).toEqual({ delivered: true, platform: 'http' });
    expect(p.seen[0].url).toBe('/send');
    expect(JSON.parse(p.seen[0].body)).toEqual({ to: '+821012345678', text: 'your code 123456', from: '0700' });
  });

  it('signs CoolSMS v4 requests with HMAC-SHA256(secret, date + salt)', async () => {
    const p = await provider((_req, res) => res.writeHead(200).end('{}'));
    servers.push(p.server);
    const now = new Date('2026-04-28T00:00:00.000Z');
    const client = new SmsClient({ platform: 'coolsms', url: p.url, apiKey: 'KEY', apiSecret: 'SECRET', from: '0700', timeoutMs: 1000, now: () => now });
    expect(await client.send('01012345678', 'code 654321')).toEqual({ delivered: true, platform: 'coolsms' });
    const seen = p.seen[0];
    expect(seen.url).toBe('/messages/v4/send');
    const auth = String(seen.headers.authorization);
    const m = /^HMAC-SHA256 apiKey=KEY, date=([^,]+), salt=([0-9a-f]{32}), signature=([0-9a-f]{64})$/.exec(auth);
    expect(m).not.toBeNull();
    const [, date, salt, signature] = m as RegExpExecArray;
    expect(date).toBe(now.toISOString());
    expect(signature).toBe(createHmac('sha256', 'SECRET').update(date + salt).digest('hex'));
    expect(JSON.parse(seen.body)).toEqual({ message: { to: '01012345678', from: '0700', text: 'code 654321' } });
  });

  it('reports a provider rejection with its HTTP status and without the text or number', async () => {
    const p = await provider((_req, res, seen) => res.writeHead(500).end(seen.body));
    servers.push(p.server);
    const outcome = await new SmsClient({ url: p.url, timeoutMs: 1000 }).send('+821099998888', 'code 111222');
    expect(outcome).toEqual({ delivered: false, platform: 'http', reason: 'provider_rejected', httpStatus: 500 });
    expect(JSON.stringify(outcome)).not.toMatch(/111222|99998888/);
  });

  it('gives up after the timeout instead of hanging on a silent provider', async () => {
    const p = await provider(() => undefined);
    servers.push(p.server);
    const started = Date.now();
    const outcome = await new SmsClient({ url: p.url, timeoutMs: 150 }).send('+821012345678', 'code 1');
    expect(outcome).toEqual({ delivered: false, platform: 'http', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports network errors without throwing', async () => {
    const outcome = await new SmsClient({ url: 'http://127.0.0.1:1/', timeoutMs: 1000 }).send('+821012345678', 'code 1');
    expect(outcome).toEqual({ delivered: false, platform: 'http', reason: 'network_error' });
  });
});
