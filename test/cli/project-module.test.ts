import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliError } from '../../bin/cli/errors';
import { requireFromProject, resolveFromProject } from '../../bin/cli/project-module';

let project: string;

beforeAll(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-project-'));
  const pkg = path.join(project, 'node_modules', 'only-in-project');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'index.js'), "module.exports = { from: 'the project' };");
  // The project's own tsx wins over the one beside the CLI.
  fs.mkdirSync(path.join(project, 'node_modules', 'tsx', 'cjs'), { recursive: true });
  fs.writeFileSync(path.join(project, 'node_modules', 'tsx', 'package.json'), JSON.stringify({ name: 'tsx', exports: { './cjs/api': './cjs/api.js' } }));
  fs.writeFileSync(path.join(project, 'node_modules', 'tsx', 'cjs', 'api.js'), 'module.exports = { register() {} };');
});

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

test("a package is loaded from the user's project first", () => {
  expect(requireFromProject<{ from: string }>('only-in-project', project, 'x', 'only-in-project')).toEqual({ from: 'the project' });
  expect(resolveFromProject('tsx/cjs/api', project)).toBe(path.join(project, 'node_modules', 'tsx', 'cjs', 'api.js'));
});

test('without the project, the copy beside the CLI is used (this repository has tsx)', () => {
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-empty-'));
  try {
    expect(resolveFromProject('tsx/cjs/api', elsewhere)).toMatch(/node_modules[/\\]tsx[/\\]/);
    expect(resolveFromProject('not-installed-anywhere-7f3a', elsewhere)).toBeUndefined();
  } finally {
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('a missing package names what needs it and the install command', () => {
  let error: unknown;
  try {
    requireFromProject('not-installed-anywhere-7f3a', project, 'loading the TypeScript module pipeline.ts', 'not-installed-anywhere-7f3a');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).message).toBe(
    `loading the TypeScript module pipeline.ts needs the package not-installed-anywhere-7f3a, which is not installed in ${project}\n  fix: install it in your project: npm install --save-dev not-installed-anywhere-7f3a`,
  );
});
