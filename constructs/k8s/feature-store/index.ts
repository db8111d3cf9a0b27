export * from './feature-store-table';
export * from './offline-store';
export * from './props';
