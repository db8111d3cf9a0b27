#!/usr/bin/env node
'use strict';
// Builds the package (`npm run build`, and `npm pack` through prepack): jsii compiles the sources
// into build/ and writes the assembly (.jsii) that other languages' packages are made from; the
// files the constructs ship as they are (Python scripts, a Lambda handler) are copied beside it.
// With --python it then makes the Python wheel in dist-jsii/python: jsii-pacmak writes the Python
// sources (--code-only: plain pacmak would ask PyPI for build tools), and pip builds the wheel
// offline with the Python given by $PYTHON (default .venv/bin/python), which needs setuptools and
// wheel installed.
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const SHIPPED_AS_IS = [
  'lib/runtime/launcher.py',
  'lib/runtime/serve.py',
  'lib/runtime/hand_off.py',
  'lib/runtime/katib_trial.py',
  'lib/runtime/katib_tune.py',
  'lib/runtime/snapshot-commit/commit.py',
  'constructs/k8s/kfp-recurring-run.py',
  'constructs/k8s/run-pipeline.py',
  'constructs/k8s/mlops_api.py',
  'constructs/aws/endpoint/handler/index.js',
];
// jsii prints a banner on Node 20; the package supports Node >= 20.19 (package.json engines).
const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] };
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
// Quiet on success (npm pack --json reads stdout); the tool's whole output when it fails.
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}\n`);
    process.exit(result.status ?? 1);
  }
}

fs.rmSync(path.join(root, 'build'), { recursive: true, force: true });
run(bin('jsii'), ['--silence-warnings=reserved-word']);
for (const file of SHIPPED_AS_IS) {
  fs.cpSync(path.join(root, file), path.join(root, 'build', file));
}

if (process.argv.includes('--python')) {
  const out = path.join(root, 'dist-jsii', 'python');
  fs.rmSync(out, { recursive: true, force: true });
  run(bin('jsii-pacmak'), ['--targets', 'python', '--code-only']);
  const python = process.env.PYTHON || path.join(root, '.venv', 'bin', 'python');
  try {
    execFileSync(python, ['-c', 'import setuptools, wheel'], { stdio: 'ignore' });
  } catch {
    console.error(`${python} cannot build wheels; install setuptools and wheel into it (e.g. ${python} -m pip install setuptools wheel), or set PYTHON to one that can`);
    process.exit(1);
  }
  run(python, ['-m', 'pip', 'wheel', '--quiet', '--disable-pip-version-check', '--no-build-isolation', '--no-deps', '--wheel-dir', out, '.'], { cwd: out });
  console.error(fs.readdirSync(out).filter((f) => f.endsWith('.whl')).map((f) => path.join('dist-jsii', 'python', f)).join('\n'));
}
