export * from './metrics';
export { counterTally, histogramTally, type CounterTally, type HistogramTally } from './tally';
export * from './context';
export * from './request-id';
export * from './logger';
export * from './http-metrics';
export * from './observability.module';
