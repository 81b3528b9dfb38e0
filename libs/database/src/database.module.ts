/**
 * Global Nest module providing the DataSource (token DATA_SOURCE) and the
 * Database service. Values come from the app's validated config (no
 * process.env here); the pool is closed on application shutdown.
 */
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { DatabaseHealthCheck } from './database-health';
import { DATA_SOURCE, Database } from './database.service';
import { assertAppRole } from './role-guard';

export interface DatabaseModuleOptions {
  url: string;
  poolSize: number;
  applicationName?: string;
}

export interface DatabaseModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: any[]) => DatabaseModuleOptions | Promise<DatabaseModuleOptions>;
}

async function openDataSource(options: DatabaseModuleOptions): Promise<DataSource> {
  const ds = createDataSource({
    url: options.url,
    poolSize: options.poolSize,
    applicationName: options.applicationName,
  });
  await ds.initialize();
  try {
    // Issue #8 boot guard: a superuser, BYPASSRLS or table-owning role would silently skip row-level security.
    await assertAppRole(ds);
  } catch (err) {
    await ds.destroy();
    throw err;
  }
  return ds;
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    const dataSource: Provider = { provide: DATA_SOURCE, useFactory: () => openDataSource(options) };
    return {
      module: DatabaseModule,
      providers: [dataSource, Database, DatabaseHealthCheck],
      exports: [DATA_SOURCE, Database],
    };
  }

  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    const dataSource: Provider = {
      provide: DATA_SOURCE,
      inject: options.inject ?? [],
      useFactory: async (...args: unknown[]) => openDataSource(await options.useFactory(...args)),
    };
    return {
      module: DatabaseModule,
      imports: options.imports ?? [],
      providers: [dataSource, Database, DatabaseHealthCheck],
      exports: [DATA_SOURCE, Database],
    };
  }
}
