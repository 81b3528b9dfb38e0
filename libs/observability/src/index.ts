export * from './metrics';
export * from './context';
export * from './request-id';
export * from './request-context.middleware';
export * from './logger';
export * from './http-metrics';
export * from './observability.module';
