/**
 * Boots admin_worker in-process the way main.ts does (createWorkerApp +
 * startHealthServer on a random port) over a suite database, with cron ticks
 * off so tests call each job's `run(now)` themselves. The worker reconciles
 * every `domain:*` key of its Redis database, so the suite uses its own
 * logical database (WORKER_REDIS_DB) instead of the per-jest-worker one other
 * suites share.
 */
import type { INestApplicationContext } from '@nestjs/common';
import type { Server } from 'node:http';
import { register } from 'prom-client';
import { type AdminWorkerConfig, loadConfig } from '@app/config';
import { createWorkerApp, startHealthServer } from '@app/platform';
import { AdminWorkerModule } from '../../apps/admin-worker/src/admin-worker.module';

export const WORKER_REDIS_DB = 13;

export function workerRedisUrl(): string {
  const url = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  url.pathname = `/${WORKER_REDIS_DB}`;
  return url.toString();
}

export interface BootedWorker {
  app: INestApplicationContext;
  config: Readonly<AdminWorkerConfig>;
  healthUrl: string;
  close(): Promise<void>;
}

export async function bootWorker(
  env: Record<string, string | undefined>,
  schedule = false,
): Promise<BootedWorker> {
  register.clear();
  const config = loadConfig('admin-worker', { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const app = await createWorkerApp(AdminWorkerModule.forRoot(config, { schedule }));
  const server: Server = await startHealthServer(app, 0, '127.0.0.1');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    config,
    healthUrl: `http://127.0.0.1:${port}/health`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}
