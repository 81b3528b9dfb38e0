export * from './status';
export * from './envelope';
export * from './errors';
export * from './exception.filter';
export * from './validation';
