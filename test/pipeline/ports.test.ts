import * as path from 'path';
import {
  ArtifactType,
  Code,
  DataSource,
  DataSourceKind,
  Pipeline,
  Step,
} from '../../lib';
import { problemsOf } from '../support/problems';

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


describe('typed ports', () => {
  test('each step kind declares its output ports with their types', () => {
    const prep = Step.script('prep', { code, entry, outputs: ['train', 'test'] });
    const fit = Step.training('fit', { code, entry });
    const register = Step.registerModel('register', { model: fit.model(), group: 'g' });
    expect(prep.outputPorts()).toEqual({ train: ArtifactType.DATASET, test: ArtifactType.DATASET });
    expect(fit.outputPorts()).toEqual({ model: ArtifactType.MODEL });
    expect(register.outputPorts()).toEqual({ version: ArtifactType.REGISTERED_MODEL_VERSION });
    expect(register.version()).toMatchObject({ producer: register, name: 'version', type: ArtifactType.REGISTERED_MODEL_VERSION, sourceKind: DataSourceKind.STEP_OUTPUT });
    expect(String(register.version())).toBe('register.version');
  });

  test('a model read where a dataset is declared is an error naming the input, both types and the fix', () => {
    const p = new Pipeline('typed');
    const fit = Step.training('fit', { code, entry });
    p.addStep(fit, Step.script('profile', { code, entry, inputs: { data: fit.model() }, inputTypes: { data: ArtifactType.DATASET } }));
    expect(problemsOf(p)).toEqual([
      "step 'profile': input 'data' reads fit.model, a model, but expects a dataset; read a port of that type, or change inputTypes",
    ]);
  });

  test('a registered model version is not a directory a container step can read', () => {
    const p = new Pipeline('typed');
    const fit = Step.training('fit', { code, entry });
    const register = Step.registerModel('register', { model: fit.model(), group: 'g' });
    p.addStep(fit, register, Step.script('deploy', { code, entry, inputs: { version: register.version() } }));
    expect(problemsOf(p)).toEqual([
      "step 'deploy': input 'version' reads register.version, a registered model version, but expects a dataset, a model or a metrics directory; read a port of that type, or change inputTypes",
    ]);
  });

  test('inputTypes must name inputs and directory types', () => {
    const p = new Pipeline('typed');
    p.addStep(Step.script('a', { code, entry, inputTypes: { nothing: ArtifactType.DATASET } }));
    expect(problemsOf(p)).toEqual([
      "step 'a': inputTypes names 'nothing', which is not an input (inputs: none); remove it or add the input",
    ]);
  });

  test('a declared type that matches is accepted, and an undeclared one accepts any directory', () => {
    const p = new Pipeline('typed');
    const prep = Step.script('prep', { code, entry, outputs: ['rows'] });
    const fit = Step.training('fit', { code, entry, inputs: { rows: prep.output('rows') }, inputTypes: { rows: ArtifactType.DATASET } });
    p.addStep(prep, fit, Step.script('score', { code, entry, inputs: { model: fit.model(), rows: prep.output('rows') } }));
    expect(problemsOf(p)).toEqual([]);
  });
});

describe('collected forEach outputs', () => {
  test('collect and collectMetrics read every item of a fan-out, training steps included', () => {
    const p = new Pipeline('collected');
    const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'], metrics: ['score'] });
    const fits = Step.training('fits', { code, entry, forEach: ['x', 'y'] });
    const merge = Step.script('merge', { code, entry, inputs: { parts: each.collect('part'), scores: each.collectMetrics(), models: fits.collect('model') } });
    p.addStep(each, fits, merge);
    expect(problemsOf(p)).toEqual([]);
    expect(p.graph().node(merge).upstream).toEqual([each, fits]);
    expect(merge.inputs().parts).toMatchObject({ sourceKind: DataSourceKind.COLLECTED_OUTPUT, type: ArtifactType.DATASET });
    expect(merge.inputs().models).toMatchObject({ sourceKind: DataSourceKind.COLLECTED_OUTPUT, type: ArtifactType.MODEL });
    expect(String(merge.inputs().scores)).toBe('each.collected.metrics');
  });

  test('collecting from a step that runs once, an unknown port, or metrics that are not declared', () => {
    const p = new Pipeline('collected');
    const once = Step.script('once', { code, entry, outputs: ['part'] });
    const each = Step.script('each', { code, entry, forEach: ['a'], outputs: ['part'] });
    p.addStep(once, each, Step.script('merge', { code, entry, inputs: { a: once.collect('part'), b: each.collect('nope'), c: each.collectMetrics() } }));
    expect(problemsOf(p)).toEqual([
      "step 'merge': input 'a' collects from 'once', which does not fan out over forEach; read once.output(...) or .model() instead",
      "step 'merge': input 'b' reads output 'nope' of 'each', which declares only 'part'; add 'nope' to its outputs or read another one",
      "step 'merge': input 'c' collects the metrics of 'each', which declares no metrics; add metrics to that step or read something else",
    ]);
  });
});

test('collected items name directories, so they must be usable as directory names (said once, of the producer)', () => {
  const p = new Pipeline('collected');
  const each = Step.script('each', { code, entry, forEach: ['eu/west', '..', 'ok'], outputs: ['part'] });
  p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part') } }), Step.script('again', { code, entry, inputs: { parts: each.collect('part') } }));
  expect(problemsOf(p)).toEqual([
    "step 'each': forEach items 'eu/west', '..' cannot name the directory each item's data is read from when collected by 'merge', 'again' (allowed: letters, digits, '.', '_', '-', not '.' or '..', at most 255 chars); rename those items",
  ]);
});

test('collected items that differ only in case would share a directory on macOS and Windows', () => {
  const p = new Pipeline('collected');
  const each = Step.script('each', { code, entry, forEach: ['eu', 'EU'], outputs: ['part'] });
  p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part') } }));
  expect(problemsOf(p)).toEqual([
    "step 'each': forEach items 'eu' and 'EU' differ only in case and would share one directory on case-insensitive file systems (macOS, Windows) when collected by 'merge'; rename one",
  ]);
});

test('a collected fan-out over items that are not strings is reported once, by the step', () => {
  const p = new Pipeline('collected');
  const each = Step.script('each', { code, entry, forEach: [1 as unknown as string, 'b'], outputs: ['part'] });
  p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part') } }));
  expect(problemsOf(p)).toEqual(["step 'each': forEach items must be strings, got 1"]);
});

test('a register step registers one model, not a collection', () => {
  const p = new Pipeline('register-all');
  const fit = Step.training('fit', { code, entry, forEach: ['a', 'b'] });
  p.addStep(fit, Step.registerModel('register', { model: fit.collect('model'), group: 'g' }));
  expect(problemsOf(p)).toEqual([
    "step 'register': model is fit.collected.model, the models of every forEach item, but a register step registers one model; register the model of a training step that runs once (e.g. one that reads the collection and writes the chosen model), or register inside each item",
  ]);
});

test('a step or source that claims a built-in kind must be of its class, so every engine can read it as one', () => {
  class FakeOutput extends DataSource {
    public readonly sourceKind: string = DataSourceKind.STEP_OUTPUT;
    public readonly producer = undefined;
    public readonly type = ArtifactType.DATASET;
    public toString(): string {
      return 'fake';
    }
  }
  class FakeFail extends Step {
    public readonly kind: string = 'fail';
    constructor() {
      super('stop', {});
    }
    public problems(): string[] {
      return [];
    }
  }
  const p = new Pipeline('claims');
  p.addStep(Step.script('read', { code, entry, inputs: { data: new FakeOutput() } }), new FakeFail());
  expect(problemsOf(p)).toEqual([
    "step 'read': input 'data' reads fake, which claims the built-in source kind 'step-output', which belongs to StepArtifact, but is a FakeOutput; extend StepArtifact, or give the source a kind of its own",
    "step 'stop': claims the built-in kind 'fail', which belongs to FailStep, but is a FakeFail; extend FailStep, or give the step a kind of its own",
  ]);
});

describe('external data', () => {
  test('a URI source has no producer, a type and a scheme', () => {
    const s3 = DataSource.fromUri('s3://my-data/iris/');
    expect(s3).toMatchObject({ sourceKind: DataSourceKind.URI, producer: undefined, type: ArtifactType.DATASET, scheme: 's3' });
    expect(DataSource.fromUri('/data/iris', { type: ArtifactType.MODEL })).toMatchObject({ scheme: 'file', type: ArtifactType.MODEL });
    const p = new Pipeline('external');
    p.addStep(Step.script('read', { code, entry, inputs: { raw: s3 } }));
    expect(problemsOf(p)).toEqual([]);
    expect(p.graph().nodes[0].upstream).toEqual([]);
  });

  test('malformed URIs are errors naming the input', () => {
    const p = new Pipeline('external');
    p.addStep(Step.script('read', {
      code,
      entry,
      inputs: { a: DataSource.fromUri('data/iris'), b: DataSource.fromUri('s3://Bad_Bucket/x'), c: DataSource.fromUri('s3://ok-bucket/x', { type: ArtifactType.REGISTERED_MODEL_VERSION }) },
    }));
    expect(problemsOf(p)).toEqual([
      "step 'read': input 'a': URI 'data/iris' is not a URI; give e.g. 's3://bucket/prefix' or an absolute path",
      "step 'read': input 'b': URI 's3://Bad_Bucket/x' has no valid bucket name (allowed: 3-63 lower-case letters, digits, '.' and '-'); give e.g. 's3://my-bucket/data/'",
      "step 'read': input 'c': type 'registered-model-version' is invalid for data at a URI (allowed: dataset, model, metrics)",
    ]);
  });
});
