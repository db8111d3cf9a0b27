import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fileSystemError } from '../../bin/cli/paths';
import { runCli } from '../../bin/cli/program';
import { captureIO } from '../support/local/capture-io';
import { runMlops } from '../support/local/cli';
import { FIXTURE_PIPELINES, tempDir } from '../support/local/fixtures';

/** Every path argument of the CLI, given a path of the wrong kind: one clear message, no stack trace. */

let tmp: { dir: string; cleanup: () => void };
let file: string;
beforeEach(() => {
  tmp = tempDir('cli-paths');
  file = path.join(tmp.dir, 'a-file');
  fs.writeFileSync(file, 'not a directory\n');
});
afterEach(() => tmp.cleanup());

const pipelineFile = path.join(FIXTURE_PIPELINES, 'disk.ts');

async function cli(args: string[]): Promise<{ code: number; err: string; out: string }> {
  const io = captureIO({ cwd: tmp.dir, env: { ...process.env, OUTPUT_KB: '1' } });
  const code = await runCli(args, { io });
  expect(io.err()).not.toContain('    at ');
  return { code, err: io.err(), out: io.out() };
}

function dirs(overrides: { [option: string]: string } = {}): string[] {
  const all = { '--runs-dir': path.join(tmp.dir, 'runs'), '--cache-dir': path.join(tmp.dir, 'cache'), '--registry-dir': path.join(tmp.dir, 'registry'), ...overrides };
  return Object.entries(all).flat();
}

describe.each(['--runs-dir', '--cache-dir', '--registry-dir'])('run %s', (option) => {
  test('pointing at a file is refused before anything runs', async () => {
    const r = await cli(['run', pipelineFile, '--local', ...dirs({ [option]: file })]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`mlops run: ${option} '${file}' is a file, not a directory\n  fix: pass a directory (it is created if it does not exist), e.g. ${option} ${path.join(tmp.dir, '.mlops')}\n`);
    expect(fs.existsSync(path.join(tmp.dir, 'runs'))).toBe(false);
  });

  test('under a file cannot be created', async () => {
    const r = await cli(['run', pipelineFile, '--local', ...dirs({ [option]: path.join(file, 'sub', 'dir') })]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`mlops run: ${option} '${path.join(file, 'sub', 'dir')}' cannot be created: ${file} is a file, not a directory\n  fix: pass a directory under one you can write to\n`);
  });
});

test('a relative directory option is shown as given and as resolved; missing parents are created', async () => {
  const r = await cli(['run', pipelineFile, '--local', ...dirs({ '--runs-dir': 'a-file' })]);
  expect(r.err).toContain(`mlops run: --runs-dir 'a-file' (${file}) is a file, not a directory`);
  const ok = await cli(['run', pipelineFile, '--local', ...dirs({ '--runs-dir': path.join('deep', 'er', 'runs') })]);
  expect(ok.code).toBe(0);
  expect(fs.readdirSync(path.join(tmp.dir, 'deep', 'er', 'runs'))).toHaveLength(1);
});

test('the default .mlops directories are checked too', async () => {
  fs.writeFileSync(path.join(tmp.dir, '.mlops'), '');
  const r = await cli(['run', pipelineFile, '--local']);
  expect(r.code).toBe(2);
  expect(r.err).toContain(`mlops run: --runs-dir '.mlops/runs' (${path.join(tmp.dir, '.mlops', 'runs')}) cannot be created: ${path.join(tmp.dir, '.mlops')} is a file, not a directory`);
});

test('a pipeline module path that is a directory without pipeline.ts says so', async () => {
  fs.mkdirSync(path.join(tmp.dir, 'steps'));
  const r = await cli(['run', 'steps', '--local', ...dirs()]);
  expect(r.code).toBe(2);
  expect(r.err).toBe("mlops run: the pipeline module 'steps' is a directory without pipeline.ts, pipeline.js, index.ts, index.js, pipeline.json\n  fix: pass the module file that exports the Pipeline (e.g. steps/my-pipeline.ts), or add steps/pipeline.ts exporting it\n");
  const graph = await cli(['graph', 'steps']);
  expect(graph.code).toBe(2);
  expect(graph.err).toContain("mlops graph: the pipeline module 'steps' is a directory without pipeline.ts");
});

test('--python must be an executable file when it is a path', async () => {
  const missing = await cli(['run', pipelineFile, '--local', '--python', './no/python', ...dirs()]);
  expect(missing.code).toBe(2);
  expect(missing.err).toBe("mlops run: --python './no/python' does not exist\n  fix: pass the path of a Python 3 interpreter, e.g. --python .venv/bin/python\n");
  const dir = await cli(['run', pipelineFile, '--local', '--python', tmp.dir, ...dirs()]);
  expect(dir.err).toBe(`mlops run: --python '${tmp.dir}' is a directory, not an interpreter\n  fix: pass the path of a Python 3 interpreter, e.g. --python .venv/bin/python (inside a venv: ${path.join(tmp.dir, 'bin', 'python')})\n`);
  const plain = await cli(['run', pipelineFile, '--local', '--python', file, ...dirs()]);
  expect(plain.err).toBe(`mlops run: --python '${file}' is not executable\n  fix: pass the path of a Python 3 interpreter, e.g. --python .venv/bin/python, or make it executable (chmod +x ${file})\n`);
});

describe('graph --out', () => {
  test('pointing at a directory asks for a file name', async () => {
    const r = await cli(['graph', path.resolve('examples/iris'), '--out', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`mlops graph: --out '${tmp.dir}' is a directory; it needs a file name\n  fix: name the file to write, e.g. --out ${path.join(tmp.dir, 'iris.mmd')}\n`);
    const svg = await cli(['graph', path.resolve('examples/iris'), '--format', 'svg', '--out', '.']);
    expect(svg.err).toBe(`mlops graph: --out '.' (${tmp.dir}) is a directory; it needs a file name\n  fix: name the file to write, e.g. --out iris.svg\n`);
  });

  test('under a file cannot be created; with missing parents it is written', async () => {
    const r = await cli(['graph', path.resolve('examples/iris'), '--out', path.join(file, 'iris.mmd')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`mlops graph: --out '${path.join(file, 'iris.mmd')}' cannot be created: ${file} is a file, not a directory\n  fix: pass a file path under a directory you can write to\n`);
    const ok = await cli(['graph', path.resolve('examples/iris'), '--out', path.join('new', 'dir', 'iris.mmd')]);
    expect(ok.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp.dir, 'new', 'dir', 'iris.mmd'), 'utf8')).toContain('flowchart');
  });
});

describe('unwritable paths', () => {
  // Root writes anywhere the mode says no; a read-only mount refuses everyone.
  let readOnly: string | undefined;
  beforeAll(() => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'mlops-ro-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
      fs.mkdirSync(path.join(dir, 'existing'));
      fs.writeFileSync(path.join(dir, 'diagram.mmd'), '');
      execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
      readOnly = dir;
    } catch {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        // it was never mounted
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => {
    if (readOnly) {
      execFileSync('umount', [readOnly]);
      fs.rmSync(readOnly, { recursive: true, force: true });
    }
  });

  test('a read-only file system is named (skipped where this process cannot mount one)', async () => {
    if (readOnly === undefined) {
      console.warn('skipped: cannot mount a read-only tmpfs here');
      return;
    }
    const existing = path.join(readOnly, 'existing');
    const r = await cli(['run', pipelineFile, '--local', ...dirs({ '--runs-dir': existing })]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`mlops run: --runs-dir '${existing}' is on a read-only file system\n  fix: pass a directory you can write to, or fix its permissions (ls -ld ${existing})\n`);
    const missing = await cli(['run', pipelineFile, '--local', ...dirs({ '--cache-dir': path.join(readOnly, 'cache') })]);
    expect(missing.err).toBe(`mlops run: --cache-dir '${path.join(readOnly, 'cache')}' cannot be created: ${readOnly} is on a read-only file system\n  fix: pass a directory under one you can write to\n`);
    const out = await cli(['graph', path.resolve('examples/iris'), '--out', path.join(readOnly, 'diagram.mmd')]);
    expect(out.err).toBe(`mlops graph: --out '${path.join(readOnly, 'diagram.mmd')}' is on a read-only file system\n  fix: write somewhere else, or fix its permissions (ls -l ${path.join(readOnly, 'diagram.mmd')})\n`);
  });

  test('a directory without write permission is named (for a user the mode applies to)', async () => {
    const locked = path.join(tmp.dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o555 });
    const r = await cli(['run', pipelineFile, '--local', ...dirs({ '--registry-dir': path.join(locked, 'registry') })]);
    if (process.getuid?.() === 0) {
      expect(r.code).toBe(0); // root may write there: the run goes ahead
      return;
    }
    expect(r.err).toBe(`mlops run: --registry-dir '${path.join(locked, 'registry')}' cannot be created: ${locked} is not writable\n  fix: pass a directory under one you can write to\n`);
  });
});

test('a file-system error a command meets later is a message with a fix, not a stack trace', () => {
  const error = Object.assign(new Error("ENOSPC: no space left on device, write '/x/iris.svg'"), { code: 'ENOSPC' });
  expect(fileSystemError(error)?.message).toBe("ENOSPC: no space left on device, write '/x/iris.svg'\n  fix: free space on that file system, or write somewhere else");
  expect(fileSystemError(error)?.exitCode).toBe(1);
  expect(fileSystemError(new Error('plain'))).toBeUndefined();
});

test('the real bin prints the message and exits 2 (no stack trace)', async () => {
  const r = await runMlops(['run', pipelineFile, '--local', '--runs-dir', file]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`mlops run: --runs-dir '${file}' is a file, not a directory\n  fix: pass a directory (it is created if it does not exist), e.g. --runs-dir ${path.join(tmp.dir, '.mlops')}\n`);
});
