import * as path from 'path';
import { Code, Condition, Parameter, Pipeline, Step, Value } from '../../lib';
import { problemsOf } from '../support/problems';

/** Rules of lib/pipeline/validate.ts that no other test exercised (found by `npm run mutate`). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


test('parameters whose names differ only in case are refused, naming both and the shared variable', () => {
  const p = new Pipeline('cased', { parameters: { rate: Parameter.number(1), Rate: Parameter.number(2) } });
  p.addStep(Step.script('a', { code, entry }));
  expect(problemsOf(p)).toEqual(["parameters 'rate' and 'Rate' differ only in case and would share MLOPS_PARAM_RATE; rename one"]);
});

test('a parameter that is not a Parameter is named', () => {
  const p = new Pipeline('odd', { parameters: { rate: 0.5 as unknown as Parameter } });
  p.addStep(Step.script('a', { code, entry }));
  expect(problemsOf(p)).toEqual([expect.stringMatching(/^parameter 'rate': .* is not a Parameter; use Parameter\.string\(\.\.\.\), \.integer, \.number or \.boolean$/)]);
});

test('a step in one branch cannot read or wait for a step of the other branch', () => {
  const p = new Pipeline('branches', { parameters: { go: Parameter.boolean(true) } });
  const left = Step.script('left', { code, entry, outputs: ['data'] });
  const right = Step.script('right', { code, entry, inputs: { data: left.output('data') } });
  const waiter = Step.script('waiter', { code, entry, dependsOn: [left] });
  p.addStep(Step.condition('gate', { when: Condition.eq(p.parameter('go'), Value.boolean(true)), then: [left], otherwise: [right, waiter] }));
  expect(problemsOf(p)).toEqual([
    "step 'right': input 'data' reads step 'left', which runs only in the 'then' branch of 'gate' and may be skipped; move 'right' into that branch or read something outside it",
    "step 'waiter': depends on step 'left', which runs only in the 'then' branch of 'gate' and may be skipped; move 'waiter' into that branch or read something outside it",
  ]);
});

test('dependsOn on a step outside the pipeline, and on something that is not a step', () => {
  const p = new Pipeline('deps');
  const outside = Step.script('outside', { code, entry });
  p.addStep(Step.script('a', { code, entry, dependsOn: [outside] }));
  expect(problemsOf(p)).toEqual(["step 'a': depends on step 'outside', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch"]);
  const q = new Pipeline('deps2');
  q.addStep(Step.script('b', { code, entry, dependsOn: ['a' as unknown as Step] }));
  expect(problemsOf(q)).toContainEqual(expect.stringMatching(/^step 'b': dependsOn holds .*, which is not a step$/));
});

test('a metric a step does not declare is named with the ones it declares; a metric of a step outside the pipeline too', () => {
  const p = new Pipeline('metrics');
  const train = Step.script('train', { code, entry, metrics: ['accuracy', 'loss'] });
  p.addStep(train, Step.condition('gate', { when: Condition.gte(train.metric('f1'), Value.number(0.5)), then: [Step.script('ok', { code, entry })] }));
  expect(problemsOf(p)).toEqual(["step 'gate': reads metric 'f1' of 'train', which declares only 'accuracy', 'loss'; add it to that step's metrics"]);
  const q = new Pipeline('metrics2');
  const elsewhere = Step.script('elsewhere', { code, entry, metrics: ['accuracy'] });
  q.addStep(Step.condition('gate', { when: Condition.gte(elsewhere.metric('accuracy'), Value.number(0.5)), then: [Step.script('ok', { code, entry })] }));
  expect(problemsOf(q)).toEqual(["step 'gate': reads metric 'accuracy' of step 'elsewhere', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch"]);
});
