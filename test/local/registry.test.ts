import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { LocalModelRegistry } from '../../lib/local';
import { REPO, tempDir } from '../support/local/fixtures';

let tmp: { dir: string; cleanup: () => void };
let model: string;
beforeEach(() => {
  tmp = tempDir('registry');
  model = path.join(tmp.dir, 'model');
  fs.mkdirSync(model);
  fs.writeFileSync(path.join(model, 'model.bin'), 'weights');
});
afterEach(() => tmp.cleanup());

const request = (run: string, step = 'register') => ({
  group: 'g',
  pipeline: 'p',
  sourceRun: run,
  registeredBy: step,
  sourceStep: 'train',
  approvalStatus: 'Approved',
  metrics: { evaluate: { accuracy: 0.9 } },
  contentTypes: ['text/csv'],
  responseTypes: ['text/csv'],
});

test('versions count up from 1, each a directory with the model and its metadata', () => {
  const registry = new LocalModelRegistry(path.join(tmp.dir, 'registry'));
  expect(registry.register(model, request('run-1')).version).toBe(1);
  const second = registry.register(model, request('run-2'));
  expect(second).toEqual({ group: 'g', version: 2, path: path.join(tmp.dir, 'registry', 'g', '2') });
  expect(fs.readdirSync(second.path).sort()).toEqual(['metadata.json', 'model']);
  expect(fs.readFileSync(path.join(second.path, 'model', 'model.bin'), 'utf8')).toBe('weights');
  const metadata = JSON.parse(fs.readFileSync(path.join(second.path, 'metadata.json'), 'utf8'));
  expect(metadata).toEqual(expect.objectContaining({ version: 2, sourceRun: 'run-2', approvalStatus: 'Approved', metrics: { evaluate: { accuracy: 0.9 } } }));
  expect(Date.parse(metadata.createdAt)).toBeGreaterThan(0);
});

test('registering again from the same run and step (a resumed run) returns the existing version', () => {
  const registry = new LocalModelRegistry(path.join(tmp.dir, 'registry'));
  const first = registry.register(model, request('run-1'));
  expect(registry.register(model, request('run-1'))).toEqual(first);
  expect(registry.versions('g')).toHaveLength(1);
});

test('leftovers of a registration that was killed midway are never read as versions', () => {
  const registry = new LocalModelRegistry(path.join(tmp.dir, 'registry'));
  fs.mkdirSync(path.join(tmp.dir, 'registry', 'g', '.tmp-version-123-abcd'), { recursive: true });
  expect(registry.versions('g')).toEqual([]);
  expect(registry.register(model, request('run-1')).version).toBe(1);
});

test('processes registering at the same time get distinct versions, none lost or half-written', async () => {
  const registryDir = path.join(tmp.dir, 'registry');
  const runs = ['a', 'b', 'c', 'd'].map((run) => new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test', 'support', 'local', 'register-many.ts'), registryDir, model, '5', run], { cwd: REPO, stdio: 'inherit' });
    child.on('close', resolve);
  }));
  expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
  const versions = new LocalModelRegistry(registryDir).versions('shared');
  expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  const registrations = versions.map((v) => `${v.metadata.sourceRun}/${v.metadata.registeredBy}`);
  expect(new Set(registrations).size).toBe(20);
  expect(versions.every((v) => fs.readFileSync(path.join(v.path, 'model', 'model.bin'), 'utf8') === 'weights')).toBe(true);
  expect(fs.readdirSync(path.join(registryDir, 'shared')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
}, 60_000);
