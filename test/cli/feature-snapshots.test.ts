import * as fs from 'fs';
import * as path from 'path';
import { runMlops } from '../support/local/cli';
import { tempDir } from '../support/local/fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('cli-snapshots')));
afterEach(() => tmp.cleanup());

test('--feature-store is where the commit step writes and the training run reads; a version never committed is bad input', async () => {
  const store = path.join(tmp.dir, 'store');
  const dirs = (n: number) => ['--runs-dir', path.join(tmp.dir, `runs-${n}`), '--cache-dir', path.join(tmp.dir, 'cache'), '--registry-dir', path.join(tmp.dir, 'registry'), '--feature-store', store];
  const env = { MLOPS_FEATURE_STORE: path.join(tmp.dir, 'not-this-one') };
  const commit = await runMlops(['run', 'examples/feature-snapshots/features.ts', '--local', '-p', 'hour=2026-12-03T05', ...dirs(1)], { env });
  expect(commit.code).toBe(0);
  expect(fs.readFileSync(path.join(store, 'customers', 'LATEST'), 'utf8')).toBe('v000001\n');
  expect(fs.existsSync(path.join(tmp.dir, 'not-this-one'))).toBe(false);
  const trained = await runMlops(['run', 'examples/feature-snapshots/training.ts', '--local', '--json', ...dirs(2)], { env });
  expect(trained.code).toBe(0);
  const report = JSON.parse(trained.stdout);
  const seen = JSON.parse(fs.readFileSync(path.join(report.runDir, 'steps', 'train', 'result', 'model', 'snapshot-seen.json'), 'utf8'));
  expect(seen).toMatchObject({ version: 'v000001', partitions: ['2026-12-03T05'], rows: 20 });
  const bad = await runMlops(['run', 'examples/feature-snapshots/training.ts', '--local', '-p', 'snapshot=v000002', ...dirs(3)], { env });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(`step 'train': input 'features' reads feature snapshot customers@{snapshot}: parameter 'snapshot' gives version "v000002", but table 'customers' in ${store} has no such committed version (newest committed: v000001); give one of them, or 'latest'`);
}, 120_000);
