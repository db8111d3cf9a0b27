import * as fs from 'fs';
import * as path from 'path';
import { Pipeline } from '../../lib';
import { planLocalRun, runLocally, RunStatus } from '../../lib/local';
import { renderMermaid, renderSvg } from '../../lib/render';
import { runMlops } from '../support/local/cli';
import { REPO, stateDirs, tempDir } from '../support/local/fixtures';
import { readMermaid as readChart } from '../support/render/mermaid-reader';

/**
 * A pipeline module that imports its own copy of cdk-mlops (here: lib/ copied to a temporary
 * directory, as the compiled build would be) while the runner, the renderers and the CLI come
 * from this copy. Every class test is by brand, so everything is planned, run and drawn.
 */
let tmp: { dir: string; cleanup: () => void };
let moduleFile: string;
let dataDir: string;
beforeAll(() => {
  tmp = tempDir('two-copies');
  const copy = path.join(tmp.dir, 'copy');
  fs.cpSync(path.join(REPO, 'lib'), path.join(copy, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
  dataDir = path.join(tmp.dir, 'data');
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, 'rows.csv'), 'x\n');
  moduleFile = path.join(copy, 'pipeline.ts');
  fs.writeFileSync(moduleFile, `
import { CachePolicy, Code, Condition, DataSource, Pipeline, Step, Value } from './lib';

const code = Code.fromDirectory(${JSON.stringify(path.join(REPO, 'test', 'local', 'steps'))});
const shared = Code.fromDirectory(${JSON.stringify(path.join(REPO, 'test', 'fixtures', 'local', 'steps'))});
export const pipeline = new Pipeline('two-copies', { defaultCache: CachePolicy.enabled() });
const read = Step.script('read', { code, entry: 'tree.sh', inputs: { raw: DataSource.fromUri(${JSON.stringify(dataDir)}) }, outputs: ['seen'] });
const each = Step.script('each', { code, entry: 'emit.sh', forEach: ['a', 'b'], outputs: ['part'], metrics: ['score'], dependsOn: [read] });
const fit = Step.training('fit', { code, entry: 'emit.sh', forEach: ['small', 'large'], inputs: { parts: each.collect('part'), scores: each.collectMetrics() } });
const pick = Step.script('pick', { code, entry: 'tree.sh', inputs: { models: fit.collect('model') }, outputs: ['seen'] });
const train = Step.training('train', { code: shared, entry: 'record.sh', inputs: { seen: pick.output('seen') }, metrics: ['loss'], env: { METRICS_JSON: '{"loss": 0.1}' } });
pipeline.addStep(read, each, fit, pick, train, Step.condition('gate', {
  when: Condition.lt(train.metric('loss'), Value.number(0.5)),
  then: [Step.registerModel('register', { model: train.model(), group: 'copies' })],
  otherwise: [Step.fail('too-weak', { message: 'loss too high' })],
}));
`);
});
afterAll(() => tmp.cleanup());

function load(): Pipeline {
  return (require(moduleFile) as { pipeline: Pipeline }).pipeline;
}

test('the module really uses another copy: instanceof fails, the brand holds', () => {
  const pipeline = load();
  expect(pipeline instanceof Pipeline).toBe(false);
  expect(Pipeline.isPipeline(pipeline)).toBe(true);
});

test('this copy plans every step with its handler, and every input with its resolver', () => {
  const plan = planLocalRun(load());
  expect(plan.steps.map((s) => [s.name, s.handler.runsAs, s.inputs.map((i) => i.name)])).toEqual([
    ['read', 'process', ['raw']],
    ['each', 'process', []],
    ['fit', 'process', ['parts', 'scores']],
    ['pick', 'process', ['models']],
    ['train', 'process', ['seen']],
    ['gate', 'inline', []],
    ['register', 'inline', ['model']],
    ['too-weak', 'inline', []],
  ]);
  expect(plan.steps.find((s) => s.name === 'fit')!.items).toEqual(['small', 'large']);
});

test('this copy runs it: collections, the URI, the condition and the registry', async () => {
  const report = await runLocally(load(), stateDirs(path.join(tmp.dir, 'in-process')));
  expect(report.error).toBeUndefined();
  expect(report.status).toBe(RunStatus.SUCCEEDED);
  expect(Object.fromEntries(report.steps.map((s) => [s.name, s.state]))).toEqual({
    read: 'succeeded', each: 'succeeded', fit: 'succeeded', pick: 'succeeded', train: 'succeeded', gate: 'succeeded', register: 'succeeded', 'too-weak': 'skipped',
  });
  const seen = (step: string) => fs.readFileSync(path.join(report.steps.find((s) => s.name === step)!.outputs!.seen, 'tree.txt'), 'utf8');
  expect(seen('read')).toBe('MLOPS_INPUT_RAW rows.csv: x\n');
  expect(seen('pick')).toBe('MLOPS_INPUT_MODELS large/model.txt: model large none\nMLOPS_INPUT_MODELS small/model.txt: model small none\n');
  expect(report.steps.find((s) => s.name === 'register')!.registered!.version).toBe(1);
});

test('this copy draws every step and every edge', async () => {
  const chart = readChart(renderMermaid(load()));
  const name = (id: string) => (id.startsWith('d_') ? 'data' : chart.nodes.find((n) => n.id === id)!.label.split('\n')[0]);
  expect(chart.nodes.filter((n) => n.id.startsWith('s_')).map((n) => n.label.split('\n')[0])).toEqual(['read', 'each', 'fit', 'pick', 'train', 'gate', 'register', 'too-weak']);
  expect(chart.edges.map((e) => `${name(e.from)} ${e.arrow} ${e.label ?? ''} ${name(e.to)}`.replace('  ', ' '))).toEqual([
    'data --> raw read',
    'read -.-> each',
    'each --> collect part, collect metrics fit',
    'fit --> collect model pick',
    'pick --> seen train',
    'train --> loss gate',
    'gate ==> then register',
    'train --> model register',
    'gate ==> otherwise too-weak',
  ]);
  expect(await renderSvg(load())).toContain('data-step="register"');
});

test('the mlops CLI (from the sources) draws and runs the module', async () => {
  const graph = await runMlops(['graph', moduleFile]);
  expect(graph.stderr).toBe('');
  expect(graph.code).toBe(0);
  expect(graph.stdout).toBe(renderMermaid(load()));

  const dirs = ['--runs-dir', path.join(tmp.dir, 'cli', 'runs'), '--cache-dir', path.join(tmp.dir, 'cli', 'cache'), '--registry-dir', path.join(tmp.dir, 'cli', 'registry')];
  const run = await runMlops(['run', moduleFile, '--local', '--json', ...dirs]);
  expect(run.code).toBe(0);
  const report = JSON.parse(run.stdout);
  expect(report.status).toBe('succeeded');
  expect(report.steps.map((s: { state: string }) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'skipped']);
});
