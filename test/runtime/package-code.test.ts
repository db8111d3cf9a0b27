import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code } from '../../lib/pipeline';
import { packageCode } from '../../lib/runtime';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'package-'));
  fs.mkdirSync(path.join(dir, 'src', 'lib'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'src', '__pycache__'));
  fs.writeFileSync(path.join(dir, 'src', 'step.py'), 'import lib.util\nprint(lib.util.NAME)\n');
  fs.writeFileSync(path.join(dir, 'src', 'lib', '__init__.py'), '');
  fs.writeFileSync(path.join(dir, 'src', 'lib', 'util.py'), 'NAME = "util"\n');
  fs.writeFileSync(path.join(dir, 'src', 'run.sh'), '#!/bin/sh\necho shell\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'src', '__pycache__', 'x.pyc'), 'junk');
  fs.writeFileSync(path.join(dir, 'src', 'notes.tmp'), 'scratch');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function listing(zip: string): string[] {
  const run = spawnSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' });
  return run.stdout.trim().split('\n');
}

test('the archive holds the launcher as __main__.py and the code files, sorted, without excluded ones', () => {
  const zip = path.join(dir, 'code.zip');
  fs.writeFileSync(zip, packageCode(Code.fromDirectory(path.join(dir, 'src'), { exclude: ['*.tmp'] })));
  expect(listing(zip)).toEqual(['__main__.py', 'lib/__init__.py', 'lib/util.py', 'run.sh', 'step.py']);
});

test('python3 runs the archive: the launcher extracts it and runs the entry', () => {
  const zip = path.join(dir, 'code.zip');
  fs.writeFileSync(zip, packageCode(Code.fromDirectory(path.join(dir, 'src'))));
  const py = spawnSync('python3', [zip, '--entry', 'step.py'], { encoding: 'utf8' });
  expect(py.stderr).toBe('');
  expect(py.stdout.trim()).toBe('util');
  const sh = spawnSync('python3', [zip, '--entry', 'run.sh'], { encoding: 'utf8' });
  expect(sh.stdout.trim()).toBe('shell');
});

test('the bytes depend only on the content: same code, same archive, even after touching files', () => {
  const code = Code.fromDirectory(path.join(dir, 'src'));
  const first = packageCode(code);
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(dir, 'src', 'step.py'), later, later);
  expect(packageCode(code).equals(first)).toBe(true);
  fs.appendFileSync(path.join(dir, 'src', 'step.py'), '# changed\n');
  expect(packageCode(code).equals(first)).toBe(false);
});

test('a code directory with its own __main__.py is refused with a fix', () => {
  fs.writeFileSync(path.join(dir, 'src', '__main__.py'), '');
  expect(() => packageCode(Code.fromDirectory(path.join(dir, 'src')))).toThrow(/has its own __main__.py, which the step launcher needs; rename it/);
});
