import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from '../support/local/fixtures';

test('package.json names bin/mlops.js as the mlops bin, an executable node script', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  expect(pkg.bin).toEqual({ mlops: 'bin/mlops.js' });
  // tsx (TypeScript pipeline modules) and the AWS SDK (cloud commands) come from the user's
  // project: jsii would have to bundle them, and esbuild's binary is per platform.
  expect(pkg.dependencies.tsx).toBeUndefined();
  expect(pkg.dependencies['@aws-sdk/client-sagemaker']).toBeUndefined();
  const bin = path.join(REPO, 'bin', 'mlops.js');
  expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
});

test('npx mlops resolves to this package\'s bin and prints its commands', () => {
  const r = spawnSync('npx', ['--no-install', 'mlops', '--help'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, npm_config_yes: 'false' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const command of ['run [options] <pipeline>', 'graph [options] <pipeline>', 'start [options] <pipeline-name>', 'status [options] <pipeline-name>', 'list [options] <pipeline-name>', 'retry [options] <execution-arn>']) {
    expect(r.stdout).toContain(command);
  }
});

test('mlops run --help lists the local run options', () => {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'mlops.js'), 'run', '--help'], { cwd: REPO, encoding: 'utf8' });
  expect(r.status).toBe(0);
  for (const option of ['--local', '--param <name=value>', '--resume <run-id>', '--max-parallel <n>', '--json', '--runs-dir <dir>', '--cache', '--no-cache']) {
    expect(r.stdout).toContain(option);
  }
});

test("a cloud command prints its own error, not the AWS SDK's Node-version notice", () => {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  // Port 9 (discard) on 127.0.0.1: nothing listens, so the call fails after the SDK has loaded.
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'mlops.js'), 'list', 'iris', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], { cwd: REPO, encoding: 'utf8', env, timeout: 60_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/^mlops list: /);
  expect(r.stderr).not.toContain('NodeVersionSupportWarning');
}, 90_000);

test('a reader that closes its end early (mlops graph ... | head) ends mlops quietly, with status 0', async () => {
  const { spawn } = require('child_process');
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'mlops.js'), 'graph', 'examples/iris'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // as `head` exits before mlops writes
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).not.toContain('EPIPE');
  expect(code).toBe(0);
}, 60_000);
