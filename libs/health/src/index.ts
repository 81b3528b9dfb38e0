export * from './registry';
export * from './health';
export * from './redis.indicator';
