import * as fs from 'fs';
import * as path from 'path';
import { irisPipeline } from '../../examples/iris/pipeline';
import { toPipelineDocument } from '../../lib/pipeline/document';
import { renderMermaid } from '../../lib/render';
import { runMlops } from '../support/local/cli';
import { FIXTURE_PIPELINES, tempDir } from '../support/local/fixtures';

// A pipeline document anywhere on disk: its code paths are relative to where it is.
let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('cli-document');
});
afterEach(() => tmp.cleanup());

function writeDocument(pipeline: Parameters<typeof toPipelineDocument>[0], name: string): string {
  const file = path.join(tmp.dir, 'docs', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(toPipelineDocument(pipeline, path.dirname(file)), null, 2));
  return file;
}

test('mlops graph draws a pipeline document as it draws the module it came from', async () => {
  const file = writeDocument(irisPipeline(), 'iris.json');
  const r = await runMlops(['graph', file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trimEnd()).toBe(renderMermaid(irisPipeline()).trimEnd());
});

test('mlops run --local runs a pipeline document: every step, the condition, the registered model', async () => {
  const { pipeline } = require(path.join(FIXTURE_PIPELINES, 'train-register'));
  const file = writeDocument(pipeline, 'train-register.json');
  const dirs = ['--runs-dir', path.join(tmp.dir, 'runs'), '--cache-dir', path.join(tmp.dir, 'cache'), '--registry-dir', path.join(tmp.dir, 'registry')];
  const r = await runMlops(['run', file, '--local', '--json', '--param', 'threshold=0.7', ...dirs]);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(Object.fromEntries(report.steps.map((s: { name: string; state: string }) => [s.name, s.state]))).toEqual({
    train: 'succeeded', evaluate: 'succeeded', gate: 'succeeded', register: 'succeeded', 'too-weak': 'skipped',
  });
  expect(fs.readdirSync(path.join(tmp.dir, 'registry', 'fixture-models'))).toContain('1');
});

test('a document that is not JSON, or names what does not exist, is a clear error', async () => {
  const broken = path.join(tmp.dir, 'broken.json');
  fs.writeFileSync(broken, '{ "version": ');
  const r = await runMlops(['graph', 'broken.json'], { cwd: tmp.dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^mlops graph: the pipeline document broken\.json is not valid JSON \(/);
  const wrong = path.join(tmp.dir, 'wrong.json');
  fs.writeFileSync(wrong, JSON.stringify({ version: 'cdk-mlops/pipeline/v1', name: 'w', steps: [{ name: 'a', kind: 'fail', message: 'x', dependsOn: ['ghost'] }] }));
  const w = await runMlops(['graph', 'wrong.json'], { cwd: tmp.dir });
  expect(w.code).toBe(1);
  expect(w.stderr).toContain("mlops graph: pipeline document wrong.json: steps[0].dependsOn[0]: names step 'ghost', which the document does not have (steps: a)");
});

test('mlops run --local and mlops graph take the manifest cdk8s synthesized, code unpacked from it', async () => {
  const { Chart, Testing } = require('cdk8s');
  const { Engine, MlPipeline } = require('../../constructs/k8s');
  const YAML = require('yaml');
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const { pipeline } = require(path.join(FIXTURE_PIPELINES, 'train-register'));
  const chart = new Chart(Testing.app(), 'fixture', { namespace: 'ml' });
  new MlPipeline(chart, 'TrainRegister', { pipeline, engine: Engine.argo({ defaultImage: 'python:3.12-slim' }) });
  const objects: object[] = Testing.synth(chart);
  warn.mockRestore();
  const file = path.join(tmp.dir, 'dist', 'fixture.k8s.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));

  const graph = await runMlops(['graph', 'dist/fixture.k8s.yaml#train-register'], { cwd: tmp.dir });
  expect(graph.stderr).toBe('');
  expect(graph.stdout.trimEnd()).toBe(renderMermaid(pipeline).trimEnd());
  const r = await runMlops(['run', 'dist/fixture.k8s.yaml', '--local', '--json', '--param', 'threshold=0.7'], { cwd: tmp.dir });
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(Object.fromEntries(report.steps.map((s: { name: string; state: string }) => [s.name, s.state]))).toEqual({
    train: 'succeeded', evaluate: 'succeeded', gate: 'succeeded', register: 'succeeded', 'too-weak': 'skipped',
  });
  expect(fs.readdirSync(path.join(tmp.dir, '.mlops', 'manifest-code', 'ml'))).toEqual([expect.stringMatching(/^train-register-code-[0-9a-f]{10}$/)]);
});
