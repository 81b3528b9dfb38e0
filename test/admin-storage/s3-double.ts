/**
 * A recording double of the S3 API (no local S3-compatible server installs
 * from the registries here): a node:http server that accepts path-style
 * PutObject (`PUT /{bucket}/{key}`), records bucket, key, body, content type
 * and headers, and checks the AWS Signature V4 `Authorization` header in
 * full (canonical request, string to sign, signing key from the shared
 * secret, payload hash). Requests with a missing or wrong signature get
 * S3's 403 SignatureDoesNotMatch; `failing = true` answers 500 to everything.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface RecordedPut {
  bucket: string;
  key: string;
  body: Buffer;
  contentType: string | undefined;
  headers: IncomingMessage['headers'];
  authorization: string | undefined;
  signatureValid: boolean;
}

export interface S3Double {
  endpoint: string;
  puts: RecordedPut[];
  /** Every request seen, including refused ones. */
  requests: number;
  failing: boolean;
  close(): Promise<void>;
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Recomputes the SigV4 signature of a received request; true only when it matches. */
export function verifySigV4(
  req: IncomingMessage,
  body: Buffer,
  accessKeyId: string,
  secret: string,
): boolean {
  const auth = req.headers.authorization;
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth ?? '',
    );
  if (!match) return false;
  const [, keyId, date, region, signedHeaders, signature] = match;
  if (keyId !== accessKeyId) return false;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!amzDate.startsWith(date)) return false;
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return false;

  const url = new URL(req.url ?? '/', 'http://double.invalid');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  const canonicalHeaders = names
    .map((name) => {
      const value = req.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${String(text).trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [
    req.method,
    url.pathname,
    query,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
  return hmac(signingKey, stringToSign).toString('hex') === signature;
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

export async function startS3Double(accessKeyId: string, secret: string): Promise<S3Double> {
  const double: S3Double = {
    endpoint: '',
    puts: [],
    requests: 0,
    failing: false,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      double.requests++;
      const body = Buffer.concat(chunks);
      if (double.failing) {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(xmlError('InternalError', 'double is failing on purpose'));
        return;
      }
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://double.invalid').pathname);
      const [, bucket, ...keyParts] = path.split('/');
      if (req.method !== 'PUT' || !bucket || keyParts.length === 0) {
        res.writeHead(400, { 'content-type': 'application/xml' });
        res.end(xmlError('NotImplemented', 'the double only accepts path-style PutObject'));
        return;
      }
      const signatureValid = verifySigV4(req, body, accessKeyId, secret);
      double.puts.push({
        bucket,
        key: keyParts.join('/'),
        body,
        contentType: req.headers['content-type'],
        headers: req.headers,
        authorization: req.headers.authorization,
        signatureValid,
      });
      if (!signatureValid) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(xmlError('SignatureDoesNotMatch', 'signature mismatch'));
        return;
      }
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  double.endpoint = `http://127.0.0.1:${port}`;
  double.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return double;
}
