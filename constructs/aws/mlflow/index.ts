export * from './props';
export * from './tracking-server';
