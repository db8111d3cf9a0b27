export * from './public';
export * from './errors';
