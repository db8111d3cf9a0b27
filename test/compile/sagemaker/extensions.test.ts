/**
 * The SageMaker compiler on the model's extension points: step kinds through SAGEMAKER_STEPS,
 * data sources through SAGEMAKER_SOURCES (step outputs, collected fan-out outputs and metrics,
 * s3:// URIs), training fan-out, and what a kind or source without a handler gets.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  compileSageMaker,
  ProcessingStepDefinition,
  RegisterModelStepDefinition,
  SAGEMAKER_SOURCES,
  SAGEMAKER_STEPS,
  SageMakerPipelineDefinition,
  sageMakerRequirements,
  StepDefinition,
  TrainingStepDefinition,
} from '../../../lib/compile/sagemaker';
import {
  ArtifactType,
  Condition,
  ContainerStep,
  ContainerStepProps,
  DataSource,
  Pipeline,
  PipelineValidationError,
  Step,
  StepOptions,
  Value,
} from '../../../lib/pipeline';
import { LAUNCHER_PATH } from '../../../lib/runtime';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { checkSageMakerArguments } from '../../support/aws';
import { testTarget } from '../../support/aws/sagemaker-target';

const code = FIXTURE_CODE;
const entry = 'noop.py';

function compile(pipeline: Pipeline): SageMakerPipelineDefinition {
  return compileSageMaker(pipeline, testTarget());
}

function stepsOf(definition: SageMakerPipelineDefinition): { [name: string]: StepDefinition } {
  return Object.fromEntries(definition.Steps.map((s) => [s.Name, s]));
}

function processing(definition: SageMakerPipelineDefinition, name: string): ProcessingStepDefinition['Arguments'] {
  const step = stepsOf(definition)[name];
  expect(step?.Type).toBe('Processing');
  return (step as ProcessingStepDefinition).Arguments;
}

function training(definition: SageMakerPipelineDefinition, name: string): TrainingStepDefinition['Arguments'] {
  const step = stepsOf(definition)[name];
  expect(step?.Type).toBe('Training');
  return (step as TrainingStepDefinition).Arguments;
}

/** The data inputs of a processing step (the code input left out) as [InputName, S3Uri, LocalPath]. */
function inputsOf(args: ProcessingStepDefinition['Arguments']): unknown[][] {
  return args.ProcessingInputs!.slice(1).map((i) => [i.InputName, i.S3Input!.S3Uri, i.S3Input!.LocalPath]);
}

function problemsOf(pipeline: Pipeline): string[] {
  try {
    compile(pipeline);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a PipelineValidationError');
}

/** A user's own container step kind, unknown to SageMaker. */
class TuningStep extends ContainerStep {
  public readonly kind: string = 'tuning';
  constructor(name: string, props: ContainerStepProps) {
    super(name, props);
  }
}

/** A user's own step kind straight on Step. */
class ApprovalStep extends Step {
  public readonly kind: string = 'tuning';
  constructor(name: string, options: StepOptions = {}) {
    super(name, options);
  }
  public problems(): string[] {
    return [];
  }
}

/** A user's own data source kind. */
class VectorIndexSource extends DataSource {
  public readonly sourceKind: string = 'vector-index';
  public readonly producer = undefined;
  public readonly type = ArtifactType.DATASET;
  public toString(): string {
    return 'customers@2026-12-01';
  }
}

const STANDARD_KIND = "step 'tune': step kind 'tuning' is not supported on SageMaker (it runs 'condition', 'fail', 'register-model', 'script', 'training', 'tune' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps";

describe('kinds and sources without a handler', () => {
  test.each([
    ['a ContainerStep subclass', () => new TuningStep('tune', { code, entry })],
    ['a Step subclass', () => new ApprovalStep('tune')],
  ])('%s of kind tuning is the standard synth-time error', (_what, make) => {
    const p = new Pipeline('custom-kind');
    p.addStep(Step.script('before', { code, entry }), make());
    expect(problemsOf(p)).toEqual([STANDARD_KIND]);
  });

  test('the error names the pipeline and the engine', () => {
    const p = new Pipeline('custom-kind');
    p.addStep(new TuningStep('tune', { code, entry }));
    expect(() => compile(p)).toThrow(`Pipeline 'custom-kind' on SageMaker: ${STANDARD_KIND}`);
  });

  test('a step inside a condition branch is looked up the same way', () => {
    const p = new Pipeline('custom-kind');
    const e = Step.script('evaluate', { code, entry, metrics: ['score'] });
    p.addStep(e, Step.condition('gate', { when: Condition.gt(e.metric('score'), Value.number(0.5)), then: [new TuningStep('tune', { code, entry })] }));
    expect(problemsOf(p)).toEqual([STANDARD_KIND]);
  });

  test('a data source of an unknown kind is the standard synth-time error', () => {
    const p = new Pipeline('custom-source');
    p.addStep(Step.script('read', { code, entry, inputs: { features: new VectorIndexSource() } }));
    expect(problemsOf(p)).toEqual([
      "step 'read': input 'features' reads customers@2026-12-01, a data source of kind 'vector-index', which SageMaker cannot read (it reads 'collected-output', 'feature-snapshot', 'step-output', 'uri'); read another kind of source, or run the pipeline on an engine that reads this one",
    ]);
  });

  test('the tables name what SageMaker runs and reads', () => {
    expect(Object.keys(SAGEMAKER_STEPS).sort()).toEqual(['condition', 'fail', 'register-model', 'script', 'training', 'tune']);
    expect(Object.keys(SAGEMAKER_SOURCES).sort()).toEqual(['collected-output', 'feature-snapshot', 'step-output', 'uri']);
  });

  test('requirements come from the handlers; a kind without one needs nothing', () => {
    const p = new Pipeline('req');
    const t = Step.training('fit', { code, entry, inputs: { raw: DataSource.fromUri('s3://raw-data/iris/') } });
    p.addStep(new TuningStep('tune', { code, entry, image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/tune:1' }), t,
      Step.registerModel('register', { model: t.model(), group: 'iris' }));
    expect(sageMakerRequirements(p)).toEqual({
      processingJobs: false,
      trainingJobs: true,
      tuningJobs: false,
      trialCodes: [],
      modelPackageGroups: ['iris'],
      codes: [code],
      images: [],
      usesDefaultImage: true,
      usesDefaultInferenceImage: true,
      externalS3Uris: ['s3://raw-data/iris/'],
    });
  });
});

describe('collected outputs and metrics', () => {
  test("a processing reader gets one ProcessingInput per item, each item's output in <input dir>/<item>", () => {
    const d = compile(FEATURES.find((f) => f.id === 'collected-outputs')!.build());
    const merge = processing(d, 'merge');
    expect(inputsOf(merge)).toEqual([
      ['parts-a', { Get: "Steps.each-a.ProcessingOutputConfig.Outputs['part'].S3Output.S3Uri" }, '/opt/ml/processing/input/parts/a'],
      ['parts-b', { Get: "Steps.each-b.ProcessingOutputConfig.Outputs['part'].S3Output.S3Uri" }, '/opt/ml/processing/input/parts/b'],
    ]);
    expect(merge.Environment!.MLOPS_INPUT_PARTS).toBe('/opt/ml/processing/input/parts');
    expect(merge.AppSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py']);
    // Each item writes under its own step name, so the items never overwrite each other.
    expect((processing(d, 'each-b').ProcessingOutputConfig!.Outputs![0].S3Output!.S3Uri as any)['Std:Join'].Values[2]).toBe('each-b/part');
    expect(checkSageMakerArguments({ collected: d })).toEqual([]);
  });

  test("collectMetrics() reads each processing item's metrics output: <item>/metrics.json", () => {
    const d = compile(FEATURES.find((f) => f.id === 'collected-metrics')!.build());
    expect(inputsOf(processing(d, 'best'))).toEqual([
      ['scores-a', { Get: "Steps.each-a.ProcessingOutputConfig.Outputs['mlops-metrics'].S3Output.S3Uri" }, '/opt/ml/processing/input/scores/a'],
      ['scores-b', { Get: "Steps.each-b.ProcessingOutputConfig.Outputs['mlops-metrics'].S3Output.S3Uri" }, '/opt/ml/processing/input/scores/b'],
    ]);
    expect(processing(d, 'each-a').ProcessingOutputConfig!.Outputs!.map((o) => [o.OutputName, o.S3Output!.LocalPath])).toEqual([['mlops-metrics', '/opt/ml/processing/mlops/metrics']]);
    expect(checkSageMakerArguments({ metrics: d })).toEqual([]);
  });

  test("collectMetrics() of a training fan-out reads each item's output.tar.gz, unpacked per item", () => {
    const p = new Pipeline('train-metrics');
    const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'], metrics: ['loss'] });
    p.addStep(fit, Step.script('pick', { code, entry, inputs: { losses: fit.collectMetrics() } }));
    const d = compile(p);
    const pick = processing(d, 'pick');
    expect(inputsOf(pick)).toEqual(['small', 'large'].map((item) => [
      `losses-${item}`,
      { 'Std:Join': { On: '/', Values: [`s3://mlops-test-bucket/pipelines/test/fit-${item}`, { Get: `Steps.fit-${item}.TrainingJobName` }, 'output', 'output.tar.gz'] } },
      `/opt/ml/processing/input/losses/${item}`,
    ]));
    expect(pick.AppSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py', '--unpack-items', 'losses']);
    expect(training(d, 'fit-small').OutputDataConfig!.S3OutputPath).toBe('s3://mlops-test-bucket/pipelines/test/fit-small');
    expect(checkSageMakerArguments({ metrics: d })).toEqual([]);
  });

  test('a collected read counts one processing input per item, against the limit of 10', () => {
    const p = new Pipeline('wide');
    const items = Array.from({ length: 8 }, (_, i) => `i${i}`);
    const each = Step.script('each', { code, entry, forEach: items, outputs: ['part'] });
    const other = Step.script('other', { code, entry, outputs: ['o'] });
    p.addStep(each, other, Step.script('merge', { code, entry, inputs: { parts: each.collect('part'), extra: other.output('o'), more: other.output('o') } }));
    expect(problemsOf(p)).toEqual([
      "step 'merge': has 10 inputs (input 'parts' takes 8, one per item of 'each'), but a SageMaker processing job takes at most 10 (one carries the step's code), so at most 9; read fewer items (fan out over fewer, or merge their outputs in a step of their own first) or fewer inputs",
    ]);
  });

  test("a training reader gets a channel per item, linked by the launcher into one directory, models unpacked per item", () => {
    const p = new Pipeline('ensemble');
    const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'] });
    p.addStep(fit, Step.training('blend', { code, entry, inputs: { models: fit.collect('model') } }));
    const d = compile(p);
    const blend = training(d, 'blend');
    expect(blend.InputDataConfig!.slice(1).map((c) => [c.ChannelName, c.DataSource!.S3DataSource!.S3Uri])).toEqual([
      ['models-small', { Get: 'Steps.fit-small.ModelArtifacts.S3ModelArtifacts' }],
      ['models-large', { Get: 'Steps.fit-large.ModelArtifacts.S3ModelArtifacts' }],
    ]);
    expect(blend.AlgorithmSpecification!.ContainerArguments).toEqual([
      '--entry', 'noop.py',
      '--collect-item', 'models/small=/opt/ml/input/data/models-small',
      '--collect-item', 'models/large=/opt/ml/input/data/models-large',
      '--unpack-items', 'models',
    ]);
    expect(blend.Environment!.MLOPS_INPUT_MODELS).toBe('/tmp/mlops/inputs/models');
    expect(checkSageMakerArguments({ ensemble: d })).toEqual([]);
  });

  test('the launcher, run with those arguments, shows the script one unpacked model directory per item', () => {
    const p = new Pipeline('ensemble');
    const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'] });
    p.addStep(fit, Step.training('blend', { code, entry, inputs: { models: fit.collect('model') } }));
    const blend = training(compile(p), 'blend');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-collected-'));
    try {
      // The container's paths, moved under a temporary directory; SageMaker downloads each channel's model.tar.gz.
      const local = (text: string) => text.replace('/opt/ml/input/data', `${dir}/data`).replace('/tmp/mlops/inputs', `${dir}/inputs`).replace(/^\/opt\/ml\//, `${dir}/ml/`);
      for (const item of ['small', 'large']) {
        fs.mkdirSync(path.join(dir, 'src', item), { recursive: true });
        fs.writeFileSync(path.join(dir, 'src', item, `${item}.joblib`), item);
        fs.mkdirSync(path.join(dir, 'data', `models-${item}`), { recursive: true });
        expect(spawnSync('tar', ['-czf', path.join(dir, 'data', `models-${item}`, 'model.tar.gz'), '-C', path.join(dir, 'src', item), `${item}.joblib`]).status).toBe(0);
      }
      fs.mkdirSync(path.join(dir, 'code'));
      // The step's script, here one that lists what it sees.
      fs.writeFileSync(path.join(dir, 'code', entry), 'import os\nroot = os.environ["MLOPS_INPUT_MODELS"]\nprint(sorted((i, sorted(os.listdir(os.path.join(root, i)))) for i in os.listdir(root)))\n');
      const env = Object.fromEntries(Object.entries(blend.Environment!).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, local(v as string)]));
      const args = (blend.AlgorithmSpecification!.ContainerArguments as string[]).map(local);
      const run = spawnSync('python3', [LAUNCHER_PATH, '--code', path.join(dir, 'code'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe("[('large', ['large.joblib']), ('small', ['small.joblib'])]");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a channel name over 64 characters is a synth-time error naming step, input and item', () => {
    const p = new Pipeline('long');
    const item = 'x'.repeat(50);
    const fit = Step.training('fit', { code, entry, forEach: [item] });
    p.addStep(fit, Step.training('blend', { code, entry, inputs: { models_of_the_first_round: fit.collect('model') } }));
    expect(problemsOf(p)).toEqual([
      `step 'blend': input 'models_of_the_first_round' reads item '${item}' of 'fit' through the training channel 'models_of_the_first_round-${item}', which is invalid (allowed: letters, digits, '.', '-' and '_', 1 to 64 chars); use a shorter input name or shorter items`,
    ]);
  });

  test('a register step cannot register a collection of models (one synth-time problem)', () => {
    const p = new Pipeline('register-many');
    const fit = Step.training('fit', { code, entry, forEach: ['a', 'b'] });
    p.addStep(fit, Step.registerModel('register', { model: fit.collect('model'), group: 'models' }));
    const problems = problemsOf(p);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^step 'register': model (is|reads) fit\.collected\.model, .* register the model of a training step that runs once/);
  });
});

describe('training fan-out', () => {
  const d = compile(FEATURES.find((f) => f.id === 'training-fan-out')!.build());

  test('one Training step per item, named <step>-<item>, each with its item and its own output path', () => {
    expect(d.Steps.map((s) => `${s.Name}:${s.Type}`)).toEqual(['fit-small:Training', 'fit-large:Training', 'pick:Processing']);
    for (const item of ['small', 'large']) {
      const args = training(d, `fit-${item}`);
      expect(args.Environment).toMatchObject({ MLOPS_ITEM: item, MLOPS_STEP: 'fit', MLOPS_MODEL_DIR: '/opt/ml/model' });
      expect(args.OutputDataConfig!.S3OutputPath).toBe(`s3://mlops-test-bucket/pipelines/test/fit-${item}`);
      expect(args.AlgorithmSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py', '--metric', 'score', '--echo-metrics']);
    }
  });

  test("collect('model') reads each item's model.tar.gz into <input dir>/<item>, unpacked there", () => {
    const pick = processing(d, 'pick');
    expect(inputsOf(pick)).toEqual([
      ['models-small', { Get: 'Steps.fit-small.ModelArtifacts.S3ModelArtifacts' }, '/opt/ml/processing/input/models/small'],
      ['models-large', { Get: 'Steps.fit-large.ModelArtifacts.S3ModelArtifacts' }, '/opt/ml/processing/input/models/large'],
    ]);
    expect(pick.AppSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py', '--unpack-items', 'models']);
  });

  test('dependsOn a training fan-out waits for every item', () => {
    const p = new Pipeline('wait');
    const fit = Step.training('fit', { code, entry, forEach: ['a', 'b'] });
    p.addStep(fit, Step.script('after', { code, entry, dependsOn: [fit] }));
    expect(stepsOf(compile(p)).after.DependsOn).toEqual(['fit-a', 'fit-b']);
  });

  test('the definition matches the SageMaker API model', () => {
    expect(checkSageMakerArguments({ fanOut: d })).toEqual([]);
  });
});

describe('data at a URI', () => {
  test('an s3:// URI is read as given, as an S3 prefix; a model there is unpacked', () => {
    const p = new Pipeline('external');
    const fit = Step.training('fit', { code, entry, inputs: { raw: DataSource.fromUri('s3://example-data/iris/') } });
    p.addStep(fit, Step.script('score', {
      code,
      entry,
      inputs: { raw: DataSource.fromUri('s3://example-data/iris/'), baseline: DataSource.fromUri('s3://example-models/base/model.tar.gz', { type: ArtifactType.MODEL }) },
    }));
    const d = compile(p);
    const score = processing(d, 'score');
    expect(inputsOf(score)).toEqual([
      ['raw', 's3://example-data/iris/', '/opt/ml/processing/input/raw'],
      ['baseline', 's3://example-models/base/model.tar.gz', '/opt/ml/processing/input/baseline'],
    ]);
    expect(score.ProcessingInputs![1].S3Input!.S3DataType).toBe('S3Prefix');
    expect(score.AppSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py', '--unpack', 'baseline']);
    expect(training(d, 'fit').InputDataConfig![1]).toEqual({
      ChannelName: 'raw',
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://example-data/iris/', S3DataDistributionType: 'FullyReplicated' } },
      InputMode: 'File',
      CompressionType: 'None',
    });
    expect(checkSageMakerArguments({ external: d })).toEqual([]);
  });

  test('a register step registers a model at an s3:// URI', () => {
    const p = new Pipeline('register-external');
    p.addStep(Step.registerModel('register', { model: DataSource.fromUri('s3://example-models/m/model.tar.gz', { type: ArtifactType.MODEL }), group: 'models' }));
    const register = stepsOf(compile(p)).register as RegisterModelStepDefinition;
    expect(register.Arguments.InferenceSpecification!.Containers![0].ModelDataUrl).toBe('s3://example-models/m/model.tar.gz');
  });

  test.each([
    ['/data/iris', "'/data/iris'"],
    ['file:///data/iris', "'file:///data/iris'"],
    ['gs://bucket/iris', "'gs://bucket/iris'"],
  ])('%s is a synth-time error: SageMaker reads only s3:// URIs', (uri, shown) => {
    const p = new Pipeline('external');
    p.addStep(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri(uri) } }));
    expect(problemsOf(p)).toEqual([
      `step 'read': input 'raw' reads ${shown}, but SageMaker reads only s3:// URIs; copy the data to S3 and read its URI, e.g. DataSource.fromUri('s3://my-bucket/data/')`,
    ]);
  });
});

test('a model read where a dataset is expected is a synth-time error (from validation)', () => {
  const p = new Pipeline('typed');
  const fit = Step.training('fit', { code, entry });
  p.addStep(fit, Step.script('report', { code, entry, inputs: { data: fit.model() }, inputTypes: { data: ArtifactType.DATASET } }));
  expect(() => compile(p)).toThrow(/^Pipeline 'typed': step 'report': input 'data' reads fit\.model, a model, but expects a dataset; read a port of that type, or change inputTypes$/);
});

test("a script output named 'metrics' and the step's metrics go to different S3 keys", () => {
  const p = new Pipeline('metrics-output');
  p.addStep(Step.script('report', { code, entry, outputs: ['metrics'], metrics: ['score'] }));
  const outputs = processing(compile(p), 'report').ProcessingOutputConfig!.Outputs!;
  const keys = outputs.map((o) => JSON.stringify(o.S3Output!.S3Uri));
  expect(outputs.map((o) => o.OutputName)).toEqual(['metrics', 'mlops-metrics']);
  expect(new Set(keys).size).toBe(2);
  expect(keys[1]).toContain('"report/mlops-metrics"');
});
