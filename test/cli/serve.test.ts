import * as fs from 'fs';
import * as path from 'path';
import { LocalModelRegistry } from '../../lib/local';
import { runMlops } from '../support/local/cli';
import { tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
let registryDir: string;
beforeAll(() => {
  tmp = tempDir('cli-serve');
  registryDir = path.join(tmp.dir, 'registry');
  const model = path.join(tmp.dir, 'model');
  fs.mkdirSync(model);
  fs.writeFileSync(path.join(model, 'model.txt'), 'weights');
  // A version registered without inference code, as a pipeline whose register step names none.
  new LocalModelRegistry(registryDir).register(model, {
    group: 'bare-models', pipeline: 'p', sourceRun: 'r1', registeredBy: 'register', sourceStep: 'train',
    approvalStatus: 'Approved', metrics: {}, contentTypes: ['text/csv'], responseTypes: ['text/csv'],
  });
});
afterAll(() => tmp.cleanup());

const serve = (...args: string[]) => runMlops(['serve', ...args, '--registry-dir', registryDir], { cwd: tmp.dir });

test('mlops serve needs --local', async () => {
  const r = await serve('bare-models');
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('mlops serve: mlops serve needs --local: it serves a model of the local registry on this machine\n  fix: npx mlops serve bare-models --local\n');
});

test('an unknown group or version, or a malformed name, says what the registry has', async () => {
  const group = await serve('iris-classifier', '--local');
  expect(group.code).toBe(2);
  expect(group.stderr).toContain("the registry registry has no model group 'iris-classifier' (it has: bare-models)");
  const version = await serve('bare-models/7', '--local');
  expect(version.stderr).toContain("model group 'bare-models' has no version 7 (it has: 1)\n  fix: serve one of them, e.g. bare-models/1");
  const malformed = await serve('bare-models/v1', '--local');
  expect(malformed.stderr).toContain("'bare-models/v1' is not a registered model");
});

test('a version registered without inference code is a clear error naming the register step option', async () => {
  const r = await serve('bare-models', '--local');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('bare-models version 1 was registered without inference code, so there is nothing to serve it with');
  expect(r.stderr).toContain("inference: { code: Code.fromDirectory('serving'), entry: 'inference.py' }");
});

test('a port out of range is refused before anything starts', async () => {
  const r = await serve('bare-models', '--local', '--port', '70000');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--port "70000" is not a port (a whole number 0-65535; 0 picks a free one)');
});
