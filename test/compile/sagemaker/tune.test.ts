/**
 * Tuning steps on SageMaker: the Tuning step's arguments (CreateHyperParameterTuningJob, checked
 * against botocore), what later steps read of the best training job, the rules SageMaker adds, and
 * a trial run the way SageMaker's training toolkit starts it (the launcher from the trial tarball).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gatedDeployPipeline } from '../../../examples/katib-gated-deploy/pipeline';
import {
  compileSageMaker, ConditionStepDefinition, ProcessingStepDefinition, RegisterModelStepDefinition,
  SageMakerPipelineDefinition, sageMakerRequirements, SageMakerTarget, TuningStepDefinition,
} from '../../../lib/compile/sagemaker';
import { Algorithm, Code, DataSource, Objective, Pipeline, PipelineValidationError, Range, RetryPolicy, Step, TuneStepProps, Value } from '../../../lib/pipeline';
import { packageTrialTarball } from '../../../lib/runtime/package-tarball';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { checkSageMakerArguments } from '../../support/aws';
import { stepsByName } from '../../support/aws/definition-steps';
import { testTarget } from '../../support/aws/sagemaker-target';

const code = FIXTURE_CODE;
const entry = 'noop.py';
const TRIAL_CODE = Code.fromDirectory(path.join(__dirname, 'fixtures', 'tune-trial'));

function tuning(d: SageMakerPipelineDefinition, name = 'hpo'): TuningStepDefinition {
  const step = stepsByName(d)[name];
  expect(step?.Type).toBe('Tuning');
  return step as TuningStepDefinition;
}

/** A pipeline with one tuning step over a training trial (no inputs), props overridden. */
function tunePipeline(props: Partial<TuneStepProps> = {}, trialProps: object = {}): Pipeline {
  const p = new Pipeline('tuned');
  const trial = Step.training('trial', { code, entry, metrics: ['accuracy'], ...trialProps });
  p.addStep(Step.tune('hpo', {
    trial,
    objective: Objective.maximize('accuracy'),
    space: { C: Range.logUniform(0.001, 100) },
    maxTrials: 4,
    ...props,
  }));
  return p;
}

function problemsOf(pipeline: Pipeline, target: SageMakerTarget = testTarget()): string[] {
  try {
    compileSageMaker(pipeline, target);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected the pipeline to be refused');
}

describe('the Tuning step', () => {
  test("the gated-deploy example's tuning step (snapshot), valid for botocore's CreateHyperParameterTuningJob", () => {
    const d = compileSageMaker(gatedDeployPipeline(), testTarget());
    const hpo = tuning(d);
    expect(hpo.Arguments).toMatchSnapshot();
    expect(checkSageMakerArguments({ example: d, feature: compileSageMaker(FEATURES.find((f) => f.id === 'tuning')!.build(), testTarget()) })).toEqual([]);
  });

  test('strategy, objective, limits, ranges, early stopping and seed', () => {
    const args = tuning(compileSageMaker(tunePipeline({
      algorithm: Algorithm.bayesian(),
      objective: Objective.minimize('accuracy'),
      space: { C: Range.logUniform(0.001, 100), gamma: Range.uniform(0, 1), depth: Range.integer(2, 8), kernel: Range.categorical(['rbf', 'linear']) },
      maxTrials: 10,
      parallelTrials: 3,
      earlyStopping: true,
    }), testTarget())).Arguments.HyperParameterTuningJobConfig;
    expect(args).toEqual({
      Strategy: 'Bayesian',
      HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'accuracy' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 10, MaxParallelTrainingJobs: 3 },
      ParameterRanges: {
        IntegerParameterRanges: [{ Name: 'depth', MinValue: '2', MaxValue: '8', ScalingType: 'Linear' }],
        ContinuousParameterRanges: [
          { Name: 'C', MinValue: '0.001', MaxValue: '100', ScalingType: 'Logarithmic' },
          { Name: 'gamma', MinValue: '0', MaxValue: '1', ScalingType: 'Linear' },
        ],
        CategoricalParameterRanges: [{ Name: 'kernel', Values: ['rbf', 'linear'] }],
      },
      TrainingJobEarlyStoppingType: 'Auto',
    });
  });

  test("a grid search lists integer ranges as categories (SageMaker's Grid takes only categorical ranges)", () => {
    const d = compileSageMaker(tunePipeline({
      algorithm: Algorithm.grid(),
      space: { depth: Range.integer(2, 4), kernel: Range.categorical(['rbf', 'linear']) },
      maxTrials: 6,
    }), testTarget());
    const hpo = tuning(d);
    expect(hpo.Arguments.HyperParameterTuningJobConfig!.Strategy).toBe('Grid');
    expect(hpo.Arguments.HyperParameterTuningJobConfig!.ParameterRanges).toEqual({
      CategoricalParameterRanges: [{ Name: 'depth', Values: ['2', '3', '4'] }, { Name: 'kernel', Values: ['rbf', 'linear'] }],
    });
    expect(hpo.Arguments.HyperParameterTuningJobConfig!.ResourceLimits).toEqual({ MaxNumberOfTrainingJobs: 6, MaxParallelTrainingJobs: 1 });
    // The trial still records depth as a whole number in parameters.json.
    expect(JSON.parse(hpo.Arguments.TrainingJobDefinition!.StaticHyperParameters!.mlops_launcher_arguments as string)).toEqual(
      ['--entry', 'noop.py', '--metric', 'accuracy', '--echo-metrics', '--tuned', 'depth=integer', '--tuned', 'kernel=string', '--parameters-file', '/opt/ml/output/data/parameters.json']);
    expect(checkSageMakerArguments({ grid: d })).toEqual([]);
  });

  test('the trial starts through the training toolkit, with its params and env in the Environment and retries in the launcher', () => {
    const d = compileSageMaker(tunePipeline({}, {
      params: { folds: Value.number(5) }, env: { MODE: 'fast' }, timeoutSeconds: 3600, resources: { cpu: 4, memoryGiB: 16 },
      retry: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 5 }),
    }), testTarget());
    const job = tuning(d).Arguments.TrainingJobDefinition!;
    expect(job.StaticHyperParameters).toMatchObject({
      sagemaker_program: '_mlops_launcher.py',
      sagemaker_submit_directory: 's3://cdk-assets-123456789012-us-east-1/steps-trial.tar.gz',
    });
    expect(job.Environment).toMatchObject({ MLOPS_PARAM_FOLDS: '5', MODE: 'fast', MLOPS_LAUNCHER_HYPERPARAMETERS: '/opt/ml/input/config/hyperparameters.json' });
    expect(job.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600 });
    expect(job.ResourceConfig).toMatchObject({ InstanceType: 'ml.t3.xlarge', InstanceCount: 1 });
    expect(job.InputDataConfig).toBeUndefined();
    expect(JSON.parse(job.StaticHyperParameters!.mlops_launcher_arguments as string)).toContain('--retries');
  });
});

test("a trial's collected input is a channel per item, linked into one directory by the launcher", () => {
  const p = new Pipeline('tuned-collect');
  const each = Step.script('each', { code, entry, outputs: ['part'], forEach: ['a', 'b'] });
  const trial = Step.training('trial', { code, entry, metrics: ['accuracy'], inputs: { parts: each.collect('part'), raw: DataSource.fromUri('s3://raw-data/iris/') } });
  p.addStep(each, Step.tune('hpo', { trial, objective: Objective.maximize('accuracy'), space: { C: Range.uniform(0, 1) }, maxTrials: 2 }));
  const d = compileSageMaker(p, testTarget());
  const job = tuning(d).Arguments.TrainingJobDefinition!;
  expect(job.InputDataConfig!.map((c) => [c.ChannelName, c.DataSource!.S3DataSource!.S3Uri])).toEqual([
    ['parts-a', { Get: "Steps.each-a.ProcessingOutputConfig.Outputs['part'].S3Output.S3Uri" }],
    ['parts-b', { Get: "Steps.each-b.ProcessingOutputConfig.Outputs['part'].S3Output.S3Uri" }],
    ['raw', 's3://raw-data/iris/'],
  ]);
  expect(job.Environment).toMatchObject({ MLOPS_INPUT_PARTS: '/tmp/mlops/inputs/parts', MLOPS_INPUT_RAW: '/opt/ml/input/data/raw' });
  const args = JSON.parse(job.StaticHyperParameters!.mlops_launcher_arguments as string) as string[];
  expect(args.join(' ')).toContain('--collect-item parts/a=/opt/ml/input/data/parts-a --collect-item parts/b=/opt/ml/input/data/parts-b');
  expect(tuning(d).DependsOn).toBeUndefined();
  expect(sageMakerRequirements(p).externalS3Uris).toEqual(['s3://raw-data/iris/']);
  expect(checkSageMakerArguments({ collected: d })).toEqual([]);
});

describe('what later steps read', () => {
  const d = compileSageMaker(FEATURES.find((f) => f.id === 'tuning')!.build(), testTarget());
  const best = (file: string) => ({ 'Std:Join': { On: '/', Values: ['s3://mlops-test-bucket/pipelines/test/hpo', { Get: 'Steps.hpo.BestTrainingJob.TrainingJobName' }, 'output', file] } });

  test("the best model and parameters are the best training job's model.tar.gz and output.tar.gz, unpacked by the reader's launcher", () => {
    const report = stepsByName(d).report as ProcessingStepDefinition;
    const inputs = Object.fromEntries(report.Arguments.ProcessingInputs!.map((i) => [i.InputName, i.S3Input!.S3Uri]));
    expect(inputs).toMatchObject({ model: best('model.tar.gz'), parameters: best('output.tar.gz') });
    const args = report.Arguments.AppSpecification!.ContainerArguments!;
    expect(args.join(' ')).toContain('--unpack model --unpack parameters');
  });

  test('a register step registers the best model; a condition reads the objective metric', () => {
    const register = stepsByName(d).register as RegisterModelStepDefinition;
    expect(register.Arguments.InferenceSpecification!.Containers![0].ModelDataUrl).toEqual(best('model.tar.gz'));
    const gate = stepsByName(d).gate as ConditionStepDefinition;
    expect(gate.Arguments.Conditions[0]).toEqual({
      Type: 'GreaterThanOrEqualTo',
      LeftValue: { Get: 'Steps.hpo.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value' },
      RightValue: 0.9,
    });
  });

  test('requirements: training and tuning jobs, the trial code as a tarball, not a code archive', () => {
    const r = sageMakerRequirements(FEATURES.find((f) => f.id === 'tuning')!.build());
    expect(r).toMatchObject({ trainingJobs: true, tuningJobs: true, processingJobs: true, trialCodes: [code], codes: [code], usesDefaultImage: true });
    const onlyTuning = sageMakerRequirements(tunePipeline({}, { code: TRIAL_CODE }));
    expect(onlyTuning).toMatchObject({ processingJobs: false, trainingJobs: true, tuningJobs: true, trialCodes: [TRIAL_CODE], codes: [] });
  });
});

describe('what SageMaker tuning refuses, at synth time', () => {
  test('maxFailedTrials has no SageMaker equivalent', () => {
    expect(problemsOf(tunePipeline({ maxFailedTrials: 2 }))).toEqual([
      "step 'hpo': maxFailedTrials 2 has no SageMaker equivalent (a SageMaker tuning job always runs up to MaxNumberOfTrainingJobs, failed trials included); remove maxFailedTrials, or run the pipeline on Katib or locally",
    ]);
  });

  test('more than 30 categories, or a grid over an integer range of more than 30 values', () => {
    const many = Array.from({ length: 31 }, (_, i) => `v${i}`);
    expect(problemsOf(tunePipeline({ space: { kernel: Range.categorical(many) } }))).toEqual([
      "step 'hpo': space 'kernel': SageMaker takes at most 30 values per categorical range (CategoricalParameterRange.Values), but it has 31; try fewer values",
    ]);
    expect(problemsOf(tunePipeline({ algorithm: Algorithm.grid(), space: { depth: Range.integer(1, 40) }, maxTrials: 40 }))).toEqual([
      "step 'hpo': space 'depth': SageMaker takes at most 30 values per categorical range (CategoricalParameterRange.Values), but a grid search on SageMaker lists an integer range's values as categories (SageMaker's Grid strategy takes only categorical ranges), and integer(1, 40) has 40; try fewer values, or use Algorithm.random()",
    ]);
  });

  test('a category longer than 256 characters', () => {
    expect(problemsOf(tunePipeline({ space: { kernel: Range.categorical(['x'.repeat(257)]) } }))).toEqual([
      `step 'hpo': space 'kernel': category '${'x'.repeat(40)}...' has 257 characters, but SageMaker takes at most 256 (CategoricalParameterRange.Values item); shorten it`,
    ]);
  });

  test('more than 30 ranges of one kind', () => {
    const space = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`p${i}`, Range.uniform(0, 1)]));
    expect(problemsOf(tunePipeline({ space }))).toEqual([
      "step 'hpo': space has 31 continuous (uniform and logUniform) ranges, but SageMaker takes at most 30 of each kind (ParameterRanges.IntegerParameterRanges / ContinuousParameterRanges / CategoricalParameterRanges); tune fewer hyperparameters and fix the rest as params",
    ]);
  });

  test("more than 48 Environment entries in the trials", () => {
    const params = Object.fromEntries(Array.from({ length: 42 }, (_, i) => [`p${i}`, Value.number(i)]));
    expect(problemsOf(tunePipeline({}, { params }))).toEqual([
      "step 'hpo': needs 49 environment variables (the step contract's plus the trial's 42 params and 0 env entries), but a SageMaker tuning job's trials take at most 48 (TrainingJobDefinition.Environment); pass fewer params or env entries",
    ]);
  });

  test('a trial running longer than 28 days', () => {
    expect(problemsOf(tunePipeline({}, { timeoutSeconds: 2419201 }))).toEqual([
      "step 'hpo': trial 'trial' timeoutSeconds 2419201 is more than a SageMaker training job may run (StoppingCondition.MaxRuntimeInSeconds 1 to 2419200 s, 28 days); lower it",
    ]);
  });

  test('a target without a place for the trial tarball', () => {
    expect(problemsOf(tunePipeline(), testTarget({ trialCodeUri: undefined }))).toEqual([
      "step 'hpo': is a tuning step, but this SageMaker target has no place for the trial's code tarball (trialCodeUri); compile through aws.MlPipeline, which uploads it as an asset",
    ]);
  });

  test('a grid search over a continuous range stays the model\'s error', () => {
    expect(problemsOf(tunePipeline({ algorithm: Algorithm.grid(), space: { C: Range.uniform(0, 1) } }))).toEqual([
      "step 'hpo': a grid search needs integer or categorical ranges, but 'C' is continuous; list the values to try with Range.categorical([...]) or use Algorithm.random()",
    ]);
  });
});

describe('a trial as the training toolkit starts it', () => {
  const python = 'python3';

  /** Lays out a trial container under `root` from the compiled step, as SageMaker and the toolkit would. */
  function runTrial(values: { [name: string]: string }): { status: number | null; stdout: string; stderr: string; root: string } {
    const p = new Pipeline('trial-run');
    p.addStep(Step.tune('hpo', {
      trial: Step.training('trial', { code: TRIAL_CODE, entry: 'trial.py', metrics: ['accuracy'] }),
      objective: Objective.maximize('accuracy'),
      space: { C: Range.logUniform(0.001, 100), kernel: Range.categorical(['rbf', 'linear']) },
      maxTrials: 2,
    }));
    const job = tuning(compileSageMaker(p, testTarget())).Arguments.TrainingJobDefinition!;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-trial-'));
    const local = (text: string) => text.split('/opt/ml').join(root);
    // SageMaker writes the static and the tuned hyperparameters, all as strings.
    fs.mkdirSync(path.join(root, 'input', 'config'), { recursive: true });
    const statics = Object.fromEntries(Object.entries(job.StaticHyperParameters!).map(([k, v]) => [k, local(v as string)]));
    fs.writeFileSync(path.join(root, 'input', 'config', 'hyperparameters.json'), JSON.stringify({ ...statics, ...values }));
    // The toolkit extracts sagemaker_submit_directory into /opt/ml/code and runs sagemaker_program there.
    const codeDir = path.join(root, 'code');
    fs.mkdirSync(codeDir);
    const tarball = path.join(root, 'trial.tar.gz');
    fs.writeFileSync(tarball, packageTrialTarball(TRIAL_CODE));
    const extract = spawnSync(python, ['-c', 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])', tarball, codeDir], { encoding: 'utf8' });
    expect(extract.status).toBe(0);
    const env: { [k: string]: string } = { PATH: process.env.PATH ?? '' };
    for (const [k, v] of Object.entries(job.Environment!)) {
      env[k] = typeof v === 'string' ? local(v) : 'run-1';
    }
    // Every hyperparameter as a flag, the way the toolkit's to_cmd_args passes them (ignored by the launcher).
    const flags = Object.entries({ ...statics, ...values }).sort().flatMap(([k, v]) => [k.length > 1 ? `--${k}` : `-${k}`, v]);
    const run = spawnSync(python, [statics.sagemaker_program, ...flags], { cwd: codeDir, env, encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr, root };
  }

  test('exports the hyperparameters as MLOPS_PARAM_<NAME>, echoes the objective for MetricDefinitions, writes parameters.json', () => {
    const { status, stdout, stderr, root } = runTrial({ C: '0.5', kernel: 'rbf' });
    expect({ status, stderr }).toMatchObject({ status: 0 });
    const regex = new RegExp(tuning(compileSageMaker(gatedDeployPipeline(), testTarget())).Arguments.TrainingJobDefinition!.AlgorithmSpecification!.MetricDefinitions![0].Regex as string);
    expect(regex.exec(stdout)?.[1]).toBe('0.55');
    expect(JSON.parse(fs.readFileSync(path.join(root, 'output', 'data', 'parameters.json'), 'utf8'))).toEqual({ C: 0.5, kernel: 'rbf' });
    expect(JSON.parse(fs.readFileSync(path.join(root, 'model', 'model.json'), 'utf8'))).toEqual({ C: 0.5, kernel: 'rbf' });
    expect(JSON.parse(fs.readFileSync(path.join(root, 'output', 'data', 'metrics.json'), 'utf8'))).toEqual({ accuracy: 0.55 });
  });

  test('the trial tarball holds the launcher beside the code; a code directory with its own _mlops_launcher.py is refused', () => {
    const list = spawnSync(python, ['-c', 'import io, sys, tarfile; print(sorted(tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read())).getnames()))'], { input: packageTrialTarball(TRIAL_CODE), encoding: 'utf8' });
    expect(list.stdout.trim()).toBe("['_mlops_launcher.py', 'trial.py']");
    const clash = Code.fromDirectory(path.join(__dirname, 'fixtures', 'tune-clash'));
    expect(() => packageTrialTarball(clash)).toThrow(`code directory ${clash.directory} has its own _mlops_launcher.py, which the step launcher needs in a tuning trial; rename it or add it to Code.fromDirectory(dir, { exclude: ['_mlops_launcher.py'] })`);
  });

  test('a tuned value that is not a number, or missing, is a contract error', () => {
    const bad = runTrial({ C: 'lots', kernel: 'rbf' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("[mlops] step contract: hyperparameter 'C' is 'lots', expected a number (could not convert string to float: 'lots')");
    const missing = runTrial({ C: '0.5' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("[mlops] step contract: hyperparameter 'kernel' is tuned but missing from");
  });
});
