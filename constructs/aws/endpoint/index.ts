export * from './canary-endpoint';
export * from './model-source';
export * from './props';
export * from './rollout';
