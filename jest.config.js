/** Jest runs TypeScript through SWC (no type-check here; `npm test` runs `tsc --noEmit` first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  setupFiles: ['<rootDir>/test/support/quiet-sdk.js'],
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testTimeout: 60000,
  // Examples import the package by name, as users do (tsconfig.json maps it for tsc and tsx).
  moduleNameMapper: { '^cdk-mlops$': '<rootDir>/index.ts' },
};
