export * from './package-code';
export * from './paths';
export * from './launch';
