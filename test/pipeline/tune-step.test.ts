import * as path from 'path';
import { Algorithm, CachePolicy, Code, Condition, Objective, Pipeline, Range, Step, TrainingStep, TuneStepProps, Value } from '../../lib';
import { fromPipelineDocument, toPipelineDocument } from '../../lib/pipeline/document';
import { gatedDeployPipeline } from '../../examples/katib-gated-deploy/pipeline';
import { problemsOf } from '../support/problems';

/** The tuning step of the model (lib/pipeline/steps/tune-step.ts, lib/pipeline/tuning.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const BASE = path.join(__dirname, '..', '..');

function trialStep(metrics = ['accuracy'], extra: Partial<Parameters<typeof Step.training>[1]> = {}): TrainingStep {
  return Step.training('trial', { code, entry: 'noop.py', metrics, ...extra });
}

function tuned(props: Partial<TuneStepProps> = {}, after?: (hpo: ReturnType<typeof Step.tune>, p: Pipeline) => Step[]): Pipeline {
  const p = new Pipeline('tuned');
  const hpo = Step.tune('hpo', {
    trial: trialStep(),
    objective: Objective.maximize('accuracy'),
    space: { C: Range.logUniform(0.001, 100) },
    maxTrials: 4,
    ...props,
  });
  p.addStep(hpo, ...(after ? after(hpo, p) : []));
  return p;
}

test('a sound tuning step validates, and a condition can read its objective metric', () => {
  expect(problemsOf(tuned({}, (hpo) => [Step.condition('gate', {
    when: Condition.gte(hpo.bestMetric('accuracy'), Value.number(0.9)),
    then: [Step.registerModel('register', { model: hpo.bestModel(), group: 'iris' })],
  })]))).toEqual([]);
});

test('each bad search space is named with the rule and the fix', () => {
  expect(problemsOf(tuned({
    space: {
      a: Range.uniform(1, 1),
      b: Range.logUniform(0, 1),
      c: Range.categorical([]),
      d: Range.integer(1.5, 3),
      e: Range.categorical(['x', 'x']),
    },
  }))).toEqual([
    "step 'hpo': space 'a': Range.uniform(1, 1) has min >= max (allowed: min < max); swap them or widen the range",
    "step 'hpo': space 'b': Range.logUniform(0, 1) has min <= 0, which has no logarithm (allowed: 0 < min < max); use Range.uniform for ranges that include 0",
    "step 'hpo': space 'c': Range.categorical([]) needs at least one category; e.g. Range.categorical(['rbf', 'linear'])",
    "step 'hpo': space 'd': Range.integer(1.5, 3) needs whole numbers for min and max; e.g. Range.integer(1, 10)",
    "step 'hpo': space 'e': Range.categorical lists 'x' twice; list each category once",
  ]);
  expect(problemsOf(tuned({ space: {} }))).toEqual([
    "step 'hpo': space is empty; give at least one hyperparameter, e.g. { C: Range.logUniform(0.001, 100) }",
  ]);
});

test('trial counts out of range are refused', () => {
  expect(problemsOf(tuned({ maxTrials: 0 }))).toEqual([
    "step 'hpo': maxTrials 0 is invalid (allowed: a whole number >= 1); e.g. maxTrials: 20",
  ]);
  expect(problemsOf(tuned({ maxTrials: 4, parallelTrials: 5, maxFailedTrials: 9, seed: -1 }))).toEqual([
    "step 'hpo': parallelTrials 5 is invalid (allowed: a whole number from 1 to maxTrials, 4); lower it or raise maxTrials",
    "step 'hpo': maxFailedTrials 9 is invalid (allowed: a whole number from 0 to maxTrials, 4); omit it to go on until maxTrials",
    "step 'hpo': seed -1 is invalid (allowed: a whole number from 0 to 2147483647)",
  ]);
});

test('an objective the trial does not report, and a read of another metric, are named', () => {
  expect(problemsOf(tuned({ objective: Objective.minimize('loss') }))).toEqual([
    "step 'hpo': objective metric 'loss' is not one the trial 'trial' reports (it declares only 'accuracy'); add it to the trial's metrics or optimise one of those",
  ]);
  expect(problemsOf(tuned({}, (hpo) => [Step.condition('gate', {
    when: Condition.gte(hpo.bestMetric('f1'), Value.number(0.9)),
    then: [Step.fail('no', { message: 'x' })],
  })]))).toEqual([
    "step 'gate': reads metric 'f1' of tuning step 'hpo', which reports only its objective metric 'accuracy'; read hpo.bestMetric('accuracy')",
  ]);
});

test('a grid search needs a discrete space and every combination', () => {
  expect(problemsOf(tuned({ algorithm: Algorithm.grid() }))).toEqual([
    "step 'hpo': a grid search needs integer or categorical ranges, but 'C' is continuous; list the values to try with Range.categorical([...]) or use Algorithm.random()",
  ]);
  expect(problemsOf(tuned({ algorithm: Algorithm.grid(), space: { depth: Range.integer(1, 3), kernel: Range.categorical(['rbf', 'linear']) } }))).toEqual([
    "step 'hpo': a grid search runs every combination of the space, 6, but maxTrials is 4; set maxTrials: 6, or use Algorithm.random() to try fewer",
  ]);
});

test('a trial that fans out, is cached, clashes with the space, or is also in the pipeline is refused', () => {
  const p = new Pipeline('tuned');
  const trial = trialStep(['accuracy'], { cache: CachePolicy.enabled(), forEach: ['a'], params: { c: Value.number(1) } });
  p.addStep(Step.tune('hpo', { trial, objective: Objective.maximize('accuracy'), space: { C: Range.uniform(0, 1) }, maxTrials: 2 }), trial);
  expect(problemsOf(p)).toEqual([
    "step 'hpo': its trial 'trial' is also a step of the pipeline (at top level); the tuning step runs the trial, so do not add it with addStep",
    "step 'hpo': trial 'trial' fans out over forEach, but each trial runs once; remove forEach from the trial",
    "step 'hpo': trial 'trial' has a cache policy, but trials always run (a cached trial would repeat one result); remove cache from the trial",
    "step 'hpo': space 'C' and the trial's param 'c' would both be MLOPS_PARAM_C; remove the param from the trial or rename the hyperparameter",
  ]);
});

test('the trial must be a training step', () => {
  const script = Step.script('s', { code, entry: 'noop.py' }) as unknown as TrainingStep;
  expect(problemsOf(tuned({ trial: script }))).toEqual([
    "step 'hpo': trial is script step 's', not a training step; pass Step.training('train', {...}) (not added to the pipeline)",
  ]);
});

test("the trial's inputs and dependencies are the tuning step's", () => {
  const p = gatedDeployPipeline();
  const hpo = p.steps.find((s) => s.name === 'hpo')!;
  expect(Object.keys(hpo.inputs())).toEqual(['train', 'test']);
  expect(hpo.outputPorts()).toEqual({ model: 'model', parameters: 'dataset' });
});

test('the example round-trips through the pipeline document', () => {
  const doc = JSON.parse(JSON.stringify(toPipelineDocument(gatedDeployPipeline(), BASE)));
  expect(toPipelineDocument(fromPipelineDocument(doc, BASE), BASE)).toEqual(doc);
  const Ajv2020 = require('ajv/dist/2020').default;
  const schema = JSON.parse(require('fs').readFileSync(path.join(BASE, 'schemas', 'pipeline-document.v1.schema.json'), 'utf8'));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  expect(validate(doc) ? [] : validate.errors).toEqual([]);
  doc.steps[2].space.C.kind = 'gaussian';
  expect(validate(doc)).toBe(false);
  expect(() => fromPipelineDocument(doc, BASE)).toThrow(/steps\[2\]\.space\.C: needs "kind" \(uniform, log-uniform, integer, categorical\)/);
});

test('a step made without props (from JavaScript) is named with what is missing, not a TypeError', () => {
  const made = [
    Step.script('s', undefined as never),
    Step.tune('t', undefined as never),
    Step.fail('f', undefined as never),
  ];
  const p = new Pipeline('no-props');
  p.addStep(...made);
  expect(problemsOf(p)).toEqual([
    "step 's': code undefined is not a Code; use Code.fromDirectory(dir)",
    "step 't': trial is undefined, not a training step; pass Step.training('train', {...}) (not added to the pipeline)",
    "step 'f': message is empty; say why the run fails, e.g. 'accuracy below threshold'",
  ]);
});
