/**
 * Boots the admin app with the WebSocket, meta-hook and storage features on
 * a random loopback port, the way admin's main.ts does: createHttpApp, then
 * the `ws` adapter (configureAdminWs) before init, then listen. Also small helpers to
 * open sockets from a chosen loopback source address (so every test has its
 * own per-IP rate-limit counter) and to read metrics.
 */
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomInt } from 'node:crypto';
import type { Client } from 'pg';
import { register } from 'prom-client';
import { WebSocket, type ClientOptions } from 'ws';
import { JwtIssuer } from '@app/auth';
import { type AdminConfig, loadConfig } from '@app/config';
import { always } from '@app/http';
import { DatabaseModule } from '@app/database';
import { CoreModule, createHttpApp, readyForTest } from '@app/platform';
import { ClsRequestContextModule } from '@app/request-context';
import { ADMIN_PIPELINE, AdminModule } from '../../apps/admin/src/app.module';
import { AdminAuthModule } from '../../apps/admin/src/auth';
import { configureAdminWs } from '../../apps/admin/src/ws/admin-ws.module';
import type { TestKeyPair } from '../support/keys';

/** Nothing listens here: the "Redis is down" case. */
export const DEAD_REDIS_URL = 'redis://127.0.0.1:6399';

/** Values that satisfy admin's production boot guards (AES sizes, salt). */
export const PRODUCTION_ENV = {
  RGB_ENV: 'production',
  AES_KEY: 'k'.repeat(32),
  AES_IV: 'i'.repeat(16),
  PASSWORD_SALT: 'test-salt',
};

export interface AdminTestApp {
  app: NestFastifyApplication;
  config: Readonly<AdminConfig>;
  url: string;
  wsUrl(path?: string): string;
  close(): Promise<void>;
}

/** Admin's platform, database, auth (global guard + identity) and middleware pipeline, without admin's own routes. */
@Module({})
class AdminFeatureTestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    ADMIN_PIPELINE.apply(consumer, ['/metrics']);
  }
}

function featureModule(
  config: Readonly<AdminConfig>,
  features: NonNullable<DynamicModule['imports']>,
): DynamicModule {
  return {
    module: AdminFeatureTestModule,
    imports: [
      CoreModule.forRoot('admin', config, { requestContext: ClsRequestContextModule.forRoot() }),
      DatabaseModule.forRoot({
        url: config.DATABASE_URL,
        poolSize: 4,
        applicationName: 'admin-features-test',
      }),
      AdminAuthModule.forRoot(config),
      ...features,
    ],
  };
}

/**
 * `full: true` boots the whole AdminModule.forRoot(config, features), as
 * admin's main.ts will; the default boots only what the features need
 * (featureModule), so these suites do not depend on admin's other routes.
 */
export async function bootAdminFeatures(
  env: Record<string, string | undefined>,
  features: NonNullable<DynamicModule['imports']>,
  options: { full?: boolean } = {},
): Promise<AdminTestApp> {
  // Several apps per test file: prom-client's default registry refuses a second set of default metrics.
  register.clear();
  const config = loadConfig('admin', { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', ...env });
  const module = options.full ? AdminModule.forRoot(config, features) : featureModule(config, features);
  const app = await createHttpApp({ service: 'admin_service', module, surface: always('internal') });
  configureAdminWs(app);
  await readyForTest(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    wsUrl: (path = '/api/v1/ws') => `ws://127.0.0.1:${port}${path}`,
    close: () => app.close(),
  };
}

export function issuerFor(pair: TestKeyPair, expiresInSeconds = 600): JwtIssuer {
  return new JwtIssuer({ privateKeyPem: pair.privateKeyPem, kid: pair.kid, expiresInSeconds });
}

/** A loopback source address no other test uses, so per-IP counters start at zero. */
export function freshLoopbackIp(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export interface Frame {
  event: string;
  data: any;
}

/** A client socket that records frames, the close code and the handshake's echoed subprotocol. */
export interface RecordedSocket {
  ws: WebSocket;
  frames: Frame[];
  /** `Sec-WebSocket-Protocol` of the 101 response ('' when none). */
  echoedProtocol: Promise<string>;
  opened: Promise<boolean>;
  closed: Promise<{ code: number; reason: string }>;
  nextFrame(event: string, timeoutMs?: number, predicate?: (f: Frame) => boolean): Promise<Frame>;
}

export function openSocket(
  url: string,
  options: { protocols?: string[]; localAddress?: string; headers?: Record<string, string> } = {},
): RecordedSocket {
  const clientOptions: ClientOptions = {
    localAddress: options.localAddress ?? freshLoopbackIp(),
    headers: options.headers,
  };
  const ws = options.protocols
    ? new WebSocket(url, options.protocols, clientOptions)
    : new WebSocket(url, clientOptions);
  const frames: Frame[] = [];
  const waiters: Array<{ event: string; predicate: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as Frame;
    frames.push(frame);
    for (const w of [...waiters]) {
      if (w.event === frame.event && w.predicate(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
    }
  });
  const echoedProtocol = new Promise<string>((resolve) => {
    ws.once('upgrade', (res) => resolve(String(res.headers['sec-websocket-protocol'] ?? '')));
    ws.once('error', () => resolve(''));
  });
  const opened = new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true));
    ws.once('error', () => resolve(false));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  return {
    ws,
    frames,
    echoedProtocol,
    opened,
    closed,
    nextFrame: (event, timeoutMs = 5000, predicate = () => true) => {
      const seen = frames.find((f) => f.event === event && predicate(f));
      if (seen) return Promise.resolve(seen);
      return new Promise<Frame>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${event}" frame within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          event,
          predicate,
          resolve: (f) => {
            clearTimeout(timer);
            resolve(f);
          },
        });
      });
    },
  };
}

/** Resolves the close event or rejects after timeoutMs (a socket left open fails the test). */
export function closedWithin(
  socket: RecordedSocket,
  timeoutMs = 5000,
): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([socket.closed, timeout]).finally(() => clearTimeout(timer));
}

export async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) =>
      Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val),
    )
    .reduce((sum, v) => sum + v.value, 0);
}

/** An admin operator row (what admin tokens must name); returns its id. */
export async function createOperator(
  pg: Client,
  status: 'enabled' | 'disabled' = 'enabled',
): Promise<number> {
  const { rows } = await pg.query<{ id: number }>(
    `INSERT INTO admin_operator (account, password_hash, status) VALUES ($1, 'not-a-real-hash', $2) RETURNING id`,
    [`op-${randomInt(1, 2 ** 40)}`, status],
  );
  return rows[0].id;
}
