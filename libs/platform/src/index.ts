export * from './main';
export * from './http-app';
export * from './client-address';
export * from './worker';
export * from './core.module';
