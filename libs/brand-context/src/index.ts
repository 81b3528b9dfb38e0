export * from './parse';
export * from './brand-context';
export * from './domain-map';
export * from './enforcement';
export * from './brand-header.guard';
export * from './brand-context.module';
