/**
 * The three feature modules inside the whole admin app, wired exactly as
 * admin's main.ts does (AdminModule.forRoot(config, [AdminWsModule,
 * AdminMetaModule, AdminStorageModule]) + configureAdminWs before listen):
 * the socket on both paths, a meta hook pushing to it, an upload through the
 * global admin guard and brand middleware, and /health.
 */
import { Client } from 'pg';
import { AdminMetaModule } from '../../apps/admin/src/meta/admin-meta.module';
import { AdminStorageModule } from '../../apps/admin/src/storage/admin-storage.module';
import { AdminWsModule } from '../../apps/admin/src/ws/admin-ws.module';
import { type S3Double, startS3Double } from '../admin-storage/s3-double';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';
import { jwtEnv, makeKeyPair } from '../support/keys';
import { suiteRedisUrl } from '../support/redis';
import { type AdminTestApp, bootAdminFeatures, createOperator, issuerFor, openSocket } from './harness';

jest.setTimeout(60_000);

const keys = makeKeyPair();
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
let db: SuiteDatabase;
let pg: Client;
let s3: S3Double;
let app: AdminTestApp;
let token: string;

beforeAll(async () => {
  db = await createSuiteDatabase('admin_wiring');
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  token = (await issuerFor(keys).signAdmin({ adminId: await createOperator(pg) })).token;
  s3 = await startS3Double('AKIDWIRING', 'wiring-secret');
  app = await bootAdminFeatures(
    {
      MULTI_BRAND_ENFORCEMENT: 'observe',
      DATABASE_URL: db.appUrl,
      REDIS_URL: suiteRedisUrl(),
      INTERNAL_SERVICE_TOKEN_RECON: 'recon-token-for-wiring',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'content',
      S3_ACCESS_KEY_ID: 'AKIDWIRING',
      S3_SECRET_ACCESS_KEY: 'wiring-secret',
      ...jwtEnv(keys),
    },
    [AdminWsModule, AdminMetaModule, AdminStorageModule],
    { full: true },
  );
});

afterAll(async () => {
  await app?.close();
  await s3?.close();
  await pg?.end();
  await db?.drop();
});

it('serves the socket on both paths and pushes a hook refresh to it', async () => {
  const legacyPath = openSocket(app.wsUrl('/ws'), { protocols: ['bearer', token] });
  const socket = openSocket(app.wsUrl('/api/v1/ws'), { protocols: ['bearer', token] });
  expect(await socket.echoedProtocol).toBe('bearer');
  const initial = await socket.nextFrame('top_info');
  await legacyPath.nextFrame('top_info');
  const res = await fetch(`${app.url}/internal/meta/top-info/refresh`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-caller-service': 'recon',
      'x-internal-service-token': 'recon-token-for-wiring',
    },
    body: '{}',
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { data: { pushed: number } }).data.pushed).toBe(2);
  await socket.nextFrame('top_info', 5000, (f) => f !== initial);
  socket.ws.close();
  legacyPath.ws.close();
});

it('uploads through the admin guard and the brand middleware', async () => {
  const res = await fetch(`${app.url}/api/v1/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-brand-id': '1' },
    body: JSON.stringify({ kind: 'banner', content_type: 'image/png', content_base64: PNG_1X1 }),
  });
  expect(res.status).toBe(201);
  expect(s3.puts).toHaveLength(1);
  expect(s3.puts[0].signatureValid).toBe(true);
  expect(s3.puts[0].key).toMatch(/^brands\/1\/banner\//);
});

it('reports the socket count and object storage on /health', async () => {
  const res = await fetch(`${app.url}/health`);
  const body = (await res.json()) as { data: Record<string, unknown> };
  expect(body.data.object_storage).toBe('configured');
  expect(typeof body.data.admin_ws_clients).toBe('number');
});
