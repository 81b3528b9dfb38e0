/**
 * Banner / notice image upload to S3-compatible object storage (seed 004
 * dependency "Cloudflare R2-compatible object storage"), against the
 * recording S3 double: path-style PutObject with a valid SigV4 signature,
 * brand-prefixed keys, content-type checks against the bytes, the size cap
 * (above the app-wide 1 MiB body limit), admin JWT + brand required, and a
 * store failure answered as status 7 without leaking the store's error.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AdminStorageModule } from '../../apps/admin/src/storage/admin-storage.module';
import { MAX_IMAGE_BYTES } from '../../apps/admin/src/storage/uploads.controller';
import { type AdminTestApp, bootAdminFeatures, createOperator, issuerFor } from '../admin-ws/harness';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { jwtEnv, makeKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';
import { type S3Double, startS3Double } from './s3-double';

jest.setTimeout(60_000);

const ACCESS_KEY = 'AKIDADMINTEST';
const SECRET = 'admin-test-secret-key-0123456789';
const BUCKET = 'content';
const PUBLIC_BASE = 'https://cdn.example.test';
/** A real 1x1 PNG. */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

const keys = makeKeyPair();
let db: SuiteDatabase;
let pg: Client;
let s3: S3Double;
let app: AdminTestApp;
let token: string;
let brandTwo: number;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MULTI_BRAND_ENFORCEMENT: 'observe',
    DATABASE_URL: db.appUrl,
    REDIS_URL: suiteRedisUrl(),
    ...jwtEnv(keys),
    S3_ENDPOINT: s3.endpoint,
    S3_REGION: 'auto',
    S3_BUCKET: BUCKET,
    S3_ACCESS_KEY_ID: ACCESS_KEY,
    S3_SECRET_ACCESS_KEY: SECRET,
    S3_PUBLIC_BASE_URL: PUBLIC_BASE,
    ...extra,
  };
}

async function upload(target: AdminTestApp, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${target.url}/api/v1/uploads`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'x-brand-id': String(brandTwo),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { http: res.status, body: (await res.json()) as { status: number; msg: string; data: any } };
}

/** Bytes that sniff as PNG, `size` long. */
function pngBytes(size: number): Buffer {
  const bytes = randomBytes(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

beforeAll(async () => {
  db = await createSuiteDatabase('admin_storage');
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  brandTwo = (
    await pg.query<{ id: number }>(
      `INSERT INTO brand (brand_code, name, default_currency) VALUES ('stb', 'Storage Brand', 'KRW') RETURNING id`,
    )
  ).rows[0].id;
  token = (await issuerFor(keys).signAdmin({ adminId: await createOperator(pg) })).token;
  s3 = await startS3Double(ACCESS_KEY, SECRET);
  app = await bootAdminFeatures(env(), [AdminStorageModule]);
});

afterAll(async () => {
  await app?.close();
  await s3?.close();
  await pg?.end();
  await db?.drop();
});

beforeEach(() => {
  s3.puts.length = 0;
  s3.failing = false;
});

it('stores a banner image with a signed path-style PutObject under the brand prefix', async () => {
  const { http, body } = await upload(app, {
    kind: 'banner',
    content_type: 'image/png',
    content_base64: PNG_1X1,
  });
  expect(http).toBe(201);
  expect(body.status).toBe(0);
  const key: string = body.data.key;
  expect(key).toMatch(new RegExp(`^brands/${brandTwo}/banner/\\d{4}/\\d{2}/[0-9a-f-]{36}\\.png$`));
  expect(body.data).toEqual({
    key,
    url: `${PUBLIC_BASE}/${key}`,
    content_type: 'image/png',
    size: Buffer.from(PNG_1X1, 'base64').length,
    brand_id: brandTwo,
  });

  expect(s3.puts).toHaveLength(1);
  const put = s3.puts[0];
  expect(put.bucket).toBe(BUCKET);
  expect(put.key).toBe(key);
  expect(put.body.equals(Buffer.from(PNG_1X1, 'base64'))).toBe(true);
  expect(put.contentType).toBe('image/png');
  expect(put.authorization).toMatch(
    new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/\\d{8}/auto/s3/aws4_request, ?SignedHeaders=`),
  );
  expect(put.signatureValid).toBe(true);
  expect(put.headers['x-amz-meta-brand-id']).toBe(String(brandTwo));
  expect(put.headers['x-amz-meta-operator-id']).toMatch(/^\d+$/);
});

it('accepts a notice image sent as a data: URL', async () => {
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]);
  const { http, body } = await upload(app, {
    kind: 'notice',
    content_type: 'image/jpeg',
    content_base64: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
  });
  expect(http).toBe(201);
  expect(body.data.key).toMatch(new RegExp(`^brands/${brandTwo}/notice/.+\\.jpg$`));
  expect(s3.puts[0].body.equals(jpeg)).toBe(true);
});

it('accepts an image larger than the app-wide 1 MiB body limit (the upload route has its own)', async () => {
  const big = pngBytes(2 * 1024 * 1024);
  const { http, body } = await upload(app, {
    kind: 'banner',
    content_type: 'image/png',
    content_base64: big.toString('base64'),
  });
  expect(http).toBe(201);
  expect(body.data.size).toBe(big.length);
  expect(s3.puts[0].body.equals(big)).toBe(true);
});

it.each([
  [
    'bytes that are not the declared type',
    { kind: 'banner', content_type: 'image/jpeg', content_base64: PNG_1X1 },
  ],
  [
    'a non-image content type',
    { kind: 'banner', content_type: 'text/html', content_base64: Buffer.from('<script>').toString('base64') },
  ],
  [
    'SVG',
    {
      kind: 'banner',
      content_type: 'image/svg+xml',
      content_base64: Buffer.from('<svg/>').toString('base64'),
    },
  ],
  ['malformed base64', { kind: 'banner', content_type: 'image/png', content_base64: 'iVBOR*w0K' }],
  [
    'a data: URL of another type',
    { kind: 'banner', content_type: 'image/png', content_base64: `data:image/gif;base64,${PNG_1X1}` },
  ],
  ['an unknown kind', { kind: 'avatar', content_type: 'image/png', content_base64: PNG_1X1 }],
  ['a missing body field', { kind: 'banner', content_type: 'image/png' }],
])('refuses %s with status 2 and stores nothing', async (_label, payload) => {
  const { http, body } = await upload(app, payload);
  expect(http).toBe(400);
  expect(body.status).toBe(2);
  expect(s3.puts).toHaveLength(0);
});

it('refuses an image over the size cap with status 2', async () => {
  const tooBig = pngBytes(MAX_IMAGE_BYTES + 1);
  const { http, body } = await upload(app, {
    kind: 'banner',
    content_type: 'image/png',
    content_base64: tooBig.toString('base64'),
  });
  expect(http).toBe(400);
  expect(body.status).toBe(2);
  expect(s3.puts).toHaveLength(0);
});

it('requires a brand (status 54) and an admin token (status 3)', async () => {
  const payload = { kind: 'banner', content_type: 'image/png', content_base64: PNG_1X1 };
  const noBrand = await fetch(`${app.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
  });
  expect(noBrand.status).toBe(400);
  expect(((await noBrand.json()) as { status: number }).status).toBe(54);
  const noToken = await upload(app, payload, { authorization: '' });
  expect(noToken.http).toBe(401);
  expect(noToken.body.status).toBe(3);
  expect(s3.puts).toHaveLength(0);
});

it('answers status 7 without the store error when the store fails', async () => {
  s3.failing = true;
  const { http, body } = await upload(app, {
    kind: 'banner',
    content_type: 'image/png',
    content_base64: PNG_1X1,
  });
  expect(http).toBe(502);
  expect(body).toEqual({ status: 7, msg: 'object storage unavailable', data: null });
});

it('is refused by the store (status 7) when signed with the wrong secret', async () => {
  const wrong = await bootAdminFeatures(env({ S3_SECRET_ACCESS_KEY: 'not-the-secret' }), [
    AdminStorageModule,
  ]);
  try {
    const { http, body } = await upload(wrong, {
      kind: 'banner',
      content_type: 'image/png',
      content_base64: PNG_1X1,
    });
    expect(http).toBe(502);
    expect(body.status).toBe(7);
    expect(s3.puts.length).toBeGreaterThanOrEqual(1);
    expect(s3.puts.every((p) => !p.signatureValid)).toBe(true);
  } finally {
    await wrong.close();
  }
});

it('answers status 7 when object storage is not configured', async () => {
  const bare = await bootAdminFeatures(
    env({ S3_BUCKET: '', S3_ACCESS_KEY_ID: '', S3_SECRET_ACCESS_KEY: '' }),
    [AdminStorageModule],
  );
  try {
    const { http, body } = await upload(bare, {
      kind: 'banner',
      content_type: 'image/png',
      content_base64: PNG_1X1,
    });
    expect(http).toBe(502);
    expect(body).toEqual({ status: 7, msg: 'object storage is not configured', data: null });
    expect(s3.puts).toHaveLength(0);
  } finally {
    await bare.close();
  }
});
