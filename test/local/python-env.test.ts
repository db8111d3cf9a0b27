import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { findRequirements, parseRequirements } from '../../lib/local';
import { runMlops } from '../support/local/cli';
import { REPO, tempDir } from '../support/local/fixtures';

/** A project of its own (package.json, requirements.txt, a Python step), so its .venv is ours to break. */
let project: { dir: string; cleanup: () => void };
beforeEach(() => {
  project = tempDir('project');
  const dir = project.dir;
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "py-project", "private": true}\n');
  fs.mkdirSync(path.join(dir, 'steps'));
  fs.writeFileSync(path.join(dir, 'steps', 'hello.py'), 'print("hello from python")\n');
  fs.writeFileSync(path.join(dir, 'pipeline.ts'), [
    `import * as path from 'path';`,
    `import { Code, Pipeline, Step } from ${JSON.stringify(path.join(REPO, 'lib'))};`,
    `export const pipeline = new Pipeline('py');`,
    `pipeline.addStep(Step.script('hello', { code: Code.fromDirectory(path.join(__dirname, 'steps')), entry: 'hello.py' }));`,
  ].join('\n'));
});
afterEach(() => project.cleanup());

function mlops(env: NodeJS.ProcessEnv = {}) {
  return runMlops(['run', '.', '--local'], { cwd: project.dir, env });
}

test('without python3 on PATH, the error says so and gives the venv command', async () => {
  fs.writeFileSync(path.join(project.dir, 'requirements.txt'), 'numpy==2.2.6\n');
  const emptyBin = path.join(project.dir, 'empty-bin');
  fs.mkdirSync(emptyBin);
  const r = await mlops({ PATH: emptyBin });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('mlops: creating the project venv .venv from requirements.txt; Python steps run in it (first run only)');
  expect(r.stderr).toContain('mlops run: python3 was not found (spawn python3 ENOENT), and the Python steps need it: the project venv .venv does not exist yet');
  expect(r.stderr).toContain('fix: install Python 3, then create the venv: python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt');
});

test('a venv the user made that lacks packages is not touched: the error lists them and the install command', async () => {
  fs.writeFileSync(path.join(project.dir, 'requirements.txt'), '# what the steps need\nmlops-test-absent-package==1.0\n');
  expect(spawnSync('python3', ['-m', 'venv', '--without-pip', path.join(project.dir, '.venv')]).status).toBe(0);
  const r = await mlops();
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('mlops run: the project venv .venv lacks packages the steps need: mlops-test-absent-package==1.0');
  expect(r.stderr).toContain('fix: .venv/bin/python -m pip install -r requirements.txt');
  expect(fs.existsSync(path.join(project.dir, '.venv', '.mlops-managed'))).toBe(false);
});

test('a missing venv is created (saying so) and its packages installed; a package pip cannot find is a clear error', async () => {
  fs.writeFileSync(path.join(project.dir, 'requirements.txt'), 'mlops-test-absent-package==1.0\n');
  const r = await mlops();
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('mlops: creating the project venv .venv from requirements.txt');
  expect(r.stderr).toContain('mlops run: installing requirements.txt into .venv failed (pip exit 1)');
  expect(r.stderr).toMatch(/No matching distribution found for mlops-test-absent-package==1\.0/);
  expect(r.stderr).toContain('fix: .venv/bin/python -m pip install -r requirements.txt');
  // The venv is ours now: fixing requirements.txt is enough, the next run installs what is missing.
  expect(fs.existsSync(path.join(project.dir, '.venv', '.mlops-managed'))).toBe(true);
  fs.writeFileSync(path.join(project.dir, 'requirements.txt'), '# nothing needed any more\n');
  const again = await mlops();
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('hello | hello from python');
}, 120_000);

test('requirements files are found next to the code or above it, up to the project directory', () => {
  const dir = project.dir;
  fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
  expect(findRequirements(path.join(dir, 'a', 'b'), dir)).toBeUndefined();
  fs.writeFileSync(path.join(dir, 'requirements.txt'), 'pandas\n');
  expect(findRequirements(path.join(dir, 'a', 'b'), dir)).toBe(path.join(dir, 'requirements.txt'));
  fs.writeFileSync(path.join(dir, 'a', 'requirements.txt'), 'numpy\n');
  expect(findRequirements(path.join(dir, 'a', 'b'), dir)).toBe(path.join(dir, 'a', 'requirements.txt'));
  expect(findRequirements(path.join(dir, 'a', 'b'), path.join(dir, 'a', 'b'))).toBeUndefined();
  expect(findRequirements(path.join(REPO, 'examples', 'iris', 'steps'), REPO)).toBe(path.join(REPO, 'examples', 'requirements.txt'));
});

test('requirement lines: exact pins are compared, other specifiers and pip options are left to pip', () => {
  const file = path.join(project.dir, 'requirements.txt');
  fs.writeFileSync(file, ['# comment', 'numpy==2.2.6  # pinned', 'pandas>=2', 'scikit-learn[alldeps] == 1.6.1', '-r other.txt', '--index-url http://x', 'requests; python_version < "3.8"', ''].join('\n'));
  expect(parseRequirements(file).map((r) => [r.name, r.pinned])).toEqual([
    ['numpy', '2.2.6'], ['pandas', undefined], ['scikit-learn', '1.6.1'], ['requests', undefined],
  ]);
});
