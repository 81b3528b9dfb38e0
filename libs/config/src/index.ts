export * from './env';
export * from './errors';
export * from './schema';
export * from './guards';
export * from './load';
export * from './config.module';
