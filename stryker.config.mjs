// Mutation testing (`npm run mutate`): Stryker with the Jest runner, each chosen file against the
// test files that cover it (never the whole suite: it is slow on 2 cores). Not part of `npm test`
// or CI. One file: `npm run mutate -- --mutate lib/local/cache.ts`. Reports go to reports/mutation/.

import process from 'node:process';

/** The files under mutation and, for each, the test files run against its mutants. */
const TARGETS = {
  'lib/local/resume.ts': ['test/local/resume.test.ts', 'test/local/run-directory.test.ts'],
  'lib/local/cache.ts': ['test/local/cache-store.test.ts', 'test/local/cache-verify.test.ts'],
  'lib/pipeline/validate.ts': ['test/pipeline/**/*.test.ts'],
};

/** The files given with --mutate (or -m) on the command line, else every target. */
function chosen() {
  const argv = process.argv;
  const at = argv.findIndex((a) => a === '--mutate' || a === '-m');
  const given = at >= 0 ? argv[at + 1].split(',') : Object.keys(TARGETS);
  const unknown = given.filter((f) => !(f in TARGETS));
  if (unknown.length > 0) {
    throw new Error(`stryker.config.mjs: no test list for ${unknown.join(', ')}; add it to TARGETS (known: ${Object.keys(TARGETS).join(', ')})`);
  }
  return given;
}

const files = chosen();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: files,
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    config: { testMatch: [...new Set(files.flatMap((f) => TARGETS[f]))].map((t) => `<rootDir>/${t}`), maxWorkers: 1 },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  checkers: ['typescript'],
  // The checker compiles lib/ only (what is mutated): fast, and deaf to type errors in tests being written.
  tsconfigFile: 'tsconfig.mutate.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  thresholds: { high: 90, low: 80, break: null },
  timeoutMS: 30000,
  ignorePatterns: ['.venv', '.mlops', 'cdk.out', 'dist', 'build', 'coverage', 'bench/out', 'reports', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
