export * from './canary-endpoint';
export * from './model-server';
export * from './props';
export * from './rollout';
export * from './served-model';
