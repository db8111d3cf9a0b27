import * as fs from 'fs';
import * as path from 'path';
import { CachePolicy, Code, Pipeline, Step } from '../../lib';
import { runLocally, RunReport, RunStatus } from '../../lib/local';
import { stateDirs, tempDir } from '../support/local/fixtures';

/** A forEach step's outputs, metrics and models read by a later step: one directory per item. */
const code = Code.fromDirectory(path.join(__dirname, 'steps'));

let tmp: { dir: string; cleanup: () => void };
let contentDir: string;
beforeEach(() => {
  tmp = tempDir('collected');
  contentDir = path.join(tmp.dir, 'content');
  fs.mkdirSync(contentDir);
});
afterEach(() => tmp.cleanup());

function run(pipeline: Pipeline): Promise<RunReport> {
  return runLocally(pipeline, { ...stateDirs(tmp.dir), env: { ...process.env, CONTENT_DIR: contentDir } });
}

const states = (r: RunReport) => Object.fromEntries(r.steps.map((s) => [s.name, s.state]));
const seen = (r: RunReport, step: string) => fs.readFileSync(path.join(r.steps.find((s) => s.name === step)!.outputs!.seen, 'tree.txt'), 'utf8');

/** each (forEach a, b; never cached) -> merge (cached), which reads each.collect('part'). */
function collectedParts(): Pipeline {
  const p = new Pipeline('collected', { defaultCache: CachePolicy.enabled() });
  const each = Step.script('each', { code, entry: 'emit.sh', forEach: ['a', 'b'], outputs: ['part'], cache: CachePolicy.disabled() });
  p.addStep(each, Step.script('merge', { code, entry: 'tree.sh', inputs: { parts: each.collect('part') }, outputs: ['seen'] }));
  return p;
}

test("a later step reads every item's output as <item>/ directories, assembled for it and removed after", async () => {
  fs.writeFileSync(path.join(contentDir, 'a'), 'alpha');
  const report = await run(collectedParts());

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  expect(seen(report, 'merge')).toBe('MLOPS_INPUT_PARTS a/data.txt: a alpha\nMLOPS_INPUT_PARTS b/data.txt: b none\n');
  // The items' results stay where they are; the assembled input is gone with the attempt.
  expect(fs.readFileSync(path.join(report.steps[0].items![1].outputs!.part, 'data.txt'), 'utf8')).toBe('b none\n');
  expect(fs.readdirSync(path.join(report.runDir, 'steps', 'merge')).sort()).toEqual(['logs', 'result', 'state.json']);
  expect(fs.readdirSync(path.join(report.runDir, 'steps', 'merge', 'result'))).toEqual(['outputs']);
});

test("the reader's cache key covers every item's content: same bytes hit, one item's change misses", async () => {
  const first = await run(collectedParts());
  expect(states(first)).toEqual({ each: 'succeeded', merge: 'succeeded' });
  // 'each' runs again (no cache) and writes the same bytes: 'merge' is served from the cache.
  expect(states(await run(collectedParts()))).toEqual({ each: 'succeeded', merge: 'cached' });

  fs.writeFileSync(path.join(contentDir, 'b'), 'changed');
  const third = await run(collectedParts());
  expect(states(third)).toEqual({ each: 'succeeded', merge: 'succeeded' });
  expect(seen(third, 'merge')).toBe('MLOPS_INPUT_PARTS a/data.txt: a none\nMLOPS_INPUT_PARTS b/data.txt: b changed\n');
  expect(states(await run(collectedParts()))).toEqual({ each: 'succeeded', merge: 'cached' });

  const key = JSON.parse(fs.readFileSync(path.join(third.runDir, 'steps', 'merge', 'state.json'), 'utf8')).cacheKey as string;
  const entry = JSON.parse(fs.readFileSync(path.join(tmp.dir, 'cache', 'entries', key, 'entry.json'), 'utf8'));
  expect(entry.keyMaterial.inputs).toEqual({ parts: { a: expect.stringMatching(/^[0-9a-f]{64}$/), b: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  expect(entry.keyMaterial.inputs.parts.a).not.toBe(entry.keyMaterial.inputs.parts.b);
});

test('collectMetrics(): the reader sees <item>/metrics.json of every item', async () => {
  fs.writeFileSync(path.join(contentDir, 'small'), 'x');
  fs.writeFileSync(path.join(contentDir, 'large'), 'xyz');
  const p = new Pipeline('scores');
  const each = Step.script('each', { code, entry: 'emit.sh', forEach: ['small', 'large'], metrics: ['score'] });
  p.addStep(each, Step.script('best', { code, entry: 'tree.sh', inputs: { scores: each.collectMetrics() }, outputs: ['seen'] }));

  const report = await run(p);

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  expect(report.steps[0].items!.map((i) => [i.item, i.metrics])).toEqual([['small', { score: 1 }], ['large', { score: 3 }]]);
  expect(seen(report, 'best')).toBe('MLOPS_INPUT_SCORES large/metrics.json: {"score": 3}\nMLOPS_INPUT_SCORES small/metrics.json: {"score": 1}\n');
});

test("a training step fanned out over forEach: one model directory per item, read with collect('model')", async () => {
  const build = () => {
    const p = new Pipeline('fan-out-training', { defaultCache: CachePolicy.enabled() });
    const fit = Step.training('fit', { code, entry: 'emit.sh', forEach: ['small', 'large'], metrics: ['score'], cache: CachePolicy.disabled() });
    p.addStep(fit, Step.script('pick', { code, entry: 'tree.sh', inputs: { models: fit.collect('model') }, outputs: ['seen'] }));
    return p;
  };
  fs.writeFileSync(path.join(contentDir, 'large'), 'big');

  const report = await run(build());

  expect(report.status).toBe(RunStatus.SUCCEEDED);
  const fit = report.steps[0];
  expect(fit.items!.map((i) => [i.item, i.state, i.model])).toEqual([
    ['small', 'succeeded', path.join(report.runDir, 'steps', 'fit', 'items', '0', 'result', 'model')],
    ['large', 'succeeded', path.join(report.runDir, 'steps', 'fit', 'items', '1', 'result', 'model')],
  ]);
  expect(seen(report, 'pick')).toBe('MLOPS_INPUT_MODELS large/model.txt: model large big\nMLOPS_INPUT_MODELS small/model.txt: model small none\n');

  // The models are trained again with the same bytes: 'pick' hits; a new model for one item misses.
  expect(states(await run(build()))).toEqual({ fit: 'succeeded', pick: 'cached' });
  fs.writeFileSync(path.join(contentDir, 'small'), 'tiny');
  const retrained = await run(build());
  expect(states(retrained)).toEqual({ fit: 'succeeded', pick: 'succeeded' });
  expect(seen(retrained, 'pick')).toBe('MLOPS_INPUT_MODELS large/model.txt: model large big\nMLOPS_INPUT_MODELS small/model.txt: model small tiny\n');
});
