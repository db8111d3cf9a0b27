export * from './feature-store-table';
export * from './metrics';
export * from './props';
export * from './throughput';
