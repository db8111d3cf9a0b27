import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Code } from '../../lib';
import { packageCodeTarball } from '../../lib/runtime/package-tarball';
import { tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('tarball');
});
afterEach(() => tmp.cleanup());

function write(files: { [name: string]: string }): Code {
  const dir = path.join(tmp.dir, 'src');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return Code.fromDirectory(dir, { exclude: ['*.log'] });
}

test("Python's tarfile (what SageMaker's serving toolkit uses) reads every file back, long paths included; excludes stay out", () => {
  const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/inference_helpers.py`;
  const code = write({ 'inference.py': 'def model_fn(d):\n    return d\n', [deep]: 'X = 1\n', 'debug.log': 'noise', 'lib/__pycache__/x.pyc': 'cache' });
  const file = path.join(tmp.dir, 'sourcedir.tar.gz');
  fs.writeFileSync(file, packageCodeTarball(code));
  const listed = execFileSync('python3', ['-c', 'import sys, tarfile, json; t = tarfile.open(sys.argv[1], "r:gz"); print(json.dumps({m.name: t.extractfile(m).read().decode() for m in t.getmembers()}))', file], { encoding: 'utf8' });
  expect(JSON.parse(listed)).toEqual({ 'inference.py': 'def model_fn(d):\n    return d\n', [deep]: 'X = 1\n' });
});

test('the same files give the same bytes (the asset hash does not move)', () => {
  const code = write({ 'inference.py': 'pass\n' });
  const first = packageCodeTarball(code);
  fs.utimesSync(path.join(code.directory, 'inference.py'), new Date(2020, 1, 1), new Date(2020, 1, 1));
  expect(packageCodeTarball(code).equals(first)).toBe(true);
});
