import * as fs from 'fs';
import * as path from 'path';
import { Code } from '../../lib';
import { packageCode } from '../../lib/runtime';
import { readCodeArchive, unpackCodeArchive } from '../../lib/runtime/unpack-code';
import { tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('unpack-code');
});
afterEach(() => tmp.cleanup());

function codeDir(files: { [name: string]: { text: string; mode?: number } }): string {
  const dir = path.join(tmp.dir, 'src');
  for (const [name, { text, mode }] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text, { mode: mode ?? 0o644 });
  }
  return dir;
}

test('unpacks what packageCode packed: every file, nested folders, contents and the executable bit', () => {
  const long = 'print("hello")\n'.repeat(500); // deflated
  const dir = codeDir({ 'train.py': { text: long }, 'lib/util.py': { text: 'X = 1\n' }, 'run.sh': { text: '#!/bin/sh\n', mode: 0o755 } });
  const archive = packageCode(Code.fromDirectory(dir));
  const out = path.join(tmp.dir, 'out');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'stale.py'), 'old');
  unpackCodeArchive(archive, out);
  expect(fs.existsSync(path.join(out, 'stale.py'))).toBe(false);
  expect(fs.readFileSync(path.join(out, 'train.py'), 'utf8')).toBe(long);
  expect(fs.readFileSync(path.join(out, 'lib', 'util.py'), 'utf8')).toBe('X = 1\n');
  expect(fs.statSync(path.join(out, 'run.sh')).mode & 0o111).not.toBe(0);
  expect(fs.statSync(path.join(out, 'train.py')).mode & 0o111).toBe(0);
  expect(readCodeArchive(archive).map((f) => f.name)).toEqual(expect.arrayContaining(['__main__.py', 'train.py', 'lib/util.py', 'run.sh']));
});

test('a damaged, foreign or escaping archive is refused with what is wrong', () => {
  const archive = packageCode(Code.fromDirectory(codeDir({ 'a.py': { text: 'A = 1\n' } })));
  expect(() => readCodeArchive(Buffer.from('not a zip'))).toThrow('is not a ZIP archive (no end of central directory)');

  const entries = readCodeArchive(archive);
  const stored = Buffer.from(archive);
  const aAt = stored.indexOf('A = 1');
  stored[aAt] = 'B'.charCodeAt(0);
  expect(entries.find((e) => e.name === 'a.py')).toBeDefined();
  expect(() => readCodeArchive(stored)).toThrow("entry 'a.py' does not match its CRC: the archive is damaged");

  const escaping = Buffer.from(archive);
  const name = Buffer.from('a.py');
  let at = escaping.indexOf(name);
  while (at >= 0) {
    Buffer.from('../x').copy(escaping, at);
    at = escaping.indexOf(name, at + 1);
  }
  expect(() => readCodeArchive(escaping)).toThrow("entry '../x' would unpack outside its folder");
});
