#!/usr/bin/env node
'use strict';
// The package's bin. Installed from the package, it runs the compiled CLI (build/), the same copy
// of the library that a pipeline module importing 'cdk-mlops' gets. In a checkout of the
// repository (where bin/mlops.ts exists), it runs the TypeScript sources through tsx, with no
// build step. Either way tsx loads the user's TypeScript pipeline modules.
const fs = require('fs');
const path = require('path');

const sources = path.join(__dirname, 'mlops.ts');
let cli;
if (fs.existsSync(sources)) {
  require('tsx/cjs/api').register();
  cli = require(sources);
} else {
  cli = require(path.join(__dirname, '..', 'build', 'bin', 'mlops.js'));
}
// `mlops graph ... | head`: a reader that stops early is not an error of ours.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') {
    process.exit(0);
  }
  throw e;
});
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
