export * from './compile';
export * from './definition';
export * from './instance-types';
export * from './limits';
export * from './schedule';
export * from './sklearn-image';
export * from './requirements';
