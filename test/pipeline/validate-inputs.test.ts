import * as path from 'path';
import { ArtifactType, Code, DataSource, Pipeline, Step } from '../../lib';
import { problemsOf } from '../support/problems';

/** How pipeline.validate() words problems with what a step reads (lib/pipeline/validate.ts). */

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


test('something added as a step that is not one is named once, and the real steps are still checked', () => {
  const p = new Pipeline('odd-step');
  p.addStep('x' as unknown as Step, Step.script('s', { code, entry, inputs: { data: 'y' as unknown as DataSource } }));
  expect(problemsOf(p)).toEqual([
    "'x' was added as a step but is not one; create steps with Step.script(...), Step.training(...), ...",
    "step 's': input 'data' is 'y', not a data reference; use e.g. otherStep.output('data') or trainStep.model()",
  ]);
});

test('an input that is not a data reference is reported once, by the step', () => {
  const p = new Pipeline('odd-input');
  p.addStep(Step.script('s', { code, entry, inputs: { data: 42 as unknown as DataSource } }));
  expect(problemsOf(p)).toEqual([
    "step 's': input 'data' is 42, not a data reference; use e.g. otherStep.output('data') or trainStep.model()",
  ]);
});

test("a source with problems of its own is reported with those only, not also with the reader's type check", () => {
  const p = new Pipeline('bad-uri');
  const data = DataSource.fromUri('s3://my-bucket/p', { type: ArtifactType.REGISTERED_MODEL_VERSION });
  p.addStep(Step.script('s', { code, entry, inputs: { data } }));
  expect(problemsOf(p)).toEqual([
    "step 's': input 'data': type 'registered-model-version' is invalid for data at a URI (allowed: dataset, model, metrics)",
  ]);
});

test('an undeclared output is named with the outputs the producer declares, or none', () => {
  const p = new Pipeline('outputs');
  const two = Step.script('two', { code, entry, outputs: ['a', 'b'] });
  const none = Step.script('none', { code, entry });
  p.addStep(two, none, Step.script('s', { code, entry, inputs: { x: two.output('c'), y: none.output('d') } }));
  expect(problemsOf(p)).toEqual([
    "step 's': input 'x' reads output 'c' of 'two', which declares only 'a', 'b'; add 'c' to its outputs or read another one",
    "step 's': input 'y' reads output 'd' of 'none', which declares no outputs; add 'd' to its outputs or read another one",
  ]);
});

test('a registered model version read as a directory lists every accepted type and the generic fix', () => {
  const p = new Pipeline('version-read');
  const train = Step.training('train', { code, entry });
  const register = Step.registerModel('register', { model: train.model(), group: 'models' });
  p.addStep(train, register, Step.script('s', { code, entry, inputs: { data: register.version() } }));
  expect(problemsOf(p)).toEqual([
    "step 's': input 'data' reads register.version, a registered model version, but expects a dataset, a model or a metrics directory; read a port of that type, or change inputTypes",
  ]);
});

test('a dataset given where only a model is accepted names the one type and how to pass a model', () => {
  const p = new Pipeline('model-read');
  const prep = Step.script('prep', { code, entry, outputs: ['data'] });
  p.addStep(prep, Step.registerModel('register', { model: prep.output('data'), group: 'models' }));
  expect(problemsOf(p)).toEqual([
    "step 'register': input 'model' reads prep.outputs.data, a dataset, but expects a model; pass a training step's model(), e.g. { model: train.model() }",
  ]);
});
