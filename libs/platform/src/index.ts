export * from './main';
export * from './http-app';
export * from './worker';
export * from './core.module';
