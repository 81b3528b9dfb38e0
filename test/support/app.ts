import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type ConfigTypes, type ServiceName, SERVICE_LABEL } from '@app/config';
import type { SurfaceResolver } from '@app/http';
import { createHttpApp, readyForTest } from '@app/platform';

/**
 * Boots one HTTP app in-process for an e2e suite, with its configuration
 * loaded through the same loader and boot guards as main.ts, listening on a
 * random loopback port so tests talk real HTTP.
 */
export interface BootedApp {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

export async function bootHttpApp<S extends ServiceName>(
  service: S,
  env: Record<string, string | undefined>,
  moduleFor: (config: Readonly<ConfigTypes[S]>) => DynamicModule,
  surface: SurfaceResolver,
): Promise<BootedApp> {
  const config = loadConfig(service, { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const app = await createHttpApp({ service: SERVICE_LABEL[service], module: moduleFor(config), surface });
  await readyForTest(app);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}
