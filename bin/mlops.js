#!/usr/bin/env node
'use strict';
// The package's bin. The CLI is TypeScript, and the pipeline modules it loads are too: tsx's
// require hook compiles both on the fly (and caches the result), so there is no build step.
require('tsx/cjs/api').register();
require('./mlops.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
