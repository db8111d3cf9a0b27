export * from './package-code';
export * from './paths';
