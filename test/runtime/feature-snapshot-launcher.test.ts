import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LAUNCHER_PATH } from '../../lib/runtime/paths';
import { tempDir } from '../support/local/fixtures';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => (tmp = tempDir('snapshot-launcher')));
afterEach(() => tmp.cleanup());

/** A table folder with one committed version, v000001, of one partition, and the script that lists what it sees. */
function table(): { tableDir: string; code: string } {
  const tableDir = path.join(tmp.dir, 'customers');
  fs.mkdirSync(path.join(tableDir, 'partitions', 'h0', 'v000001'), { recursive: true });
  fs.mkdirSync(path.join(tableDir, 'versions'));
  fs.writeFileSync(path.join(tableDir, 'partitions', 'h0', 'v000001', 'rows.csv'), 'a\n1\n');
  fs.writeFileSync(path.join(tableDir, 'versions', 'v000001.json'), JSON.stringify({ partitions: { h0: ['partitions/h0/v000001/rows.csv'] } }));
  fs.writeFileSync(path.join(tableDir, 'LATEST'), 'v000001\n');
  const code = path.join(tmp.dir, 'code');
  fs.mkdirSync(code);
  fs.writeFileSync(path.join(code, 'list.py'), 'import os\nfor d, _, fs in sorted(os.walk(os.environ["MLOPS_INPUT_F"])):\n    for f in sorted(fs): print(os.path.relpath(os.path.join(d, f), os.environ["MLOPS_INPUT_F"]))\nprint(os.environ["MLOPS_SNAPSHOT_F"])\n');
  return { tableDir, code };
}

const launch = (tableDir: string, code: string, version: string) => spawnSync('python3', [LAUNCHER_PATH, '--entry', 'list.py', '--code', code, '--feature-snapshot', 'f=customers'], {
  env: { PATH: process.env.PATH, MLOPS_INPUT_F: tableDir, MLOPS_SNAPSHOT_VERSION_F: version },
  encoding: 'utf8',
});

test("the launcher lays out the version's files and names it; a version never committed is a clear error", () => {
  const { tableDir, code } = table();
  const ok = launch(tableDir, code, 'latest');
  expect(ok.status).toBe(0);
  expect(ok.stdout).toBe('_snapshot.json\nh0/rows.csv\nv000001\n');
  const missing = launch(tableDir, code, 'v000007');
  expect(missing.status).toBe(1);
  expect(missing.stderr).toBe("[mlops] step contract: feature snapshot 'customers' has no committed version 'v000007' (newest committed: v000001); give one of them, or 'latest'\n");
  fs.rmSync(path.join(tableDir, 'partitions', 'h0', 'v000001', 'rows.csv'));
  expect(launch(tableDir, code, 'v000001').stderr).toBe("[mlops] step contract: feature snapshot 'customers' v000001: file 'partitions/h0/v000001/rows.csv' of partition 'h0' is missing; the store is incomplete\n");
});
