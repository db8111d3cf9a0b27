import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { irisPipeline } from '../../../examples/iris/pipeline';
import {
  compileSageMaker,
  ConditionStepDefinition,
  ProcessingStepDefinition,
  RegisterModelStepDefinition,
  SageMakerPipelineDefinition,
  TrainingStepDefinition,
} from '../../../lib/compile/sagemaker';
import {
  CachePolicy,
  Condition,
  ModelApproval,
  Parameter,
  Pipeline,
  RetryPolicy,
  Step,
  Value,
} from '../../../lib/pipeline';
import { LAUNCHER_PATH } from '../../../lib/runtime';
import { FEATURES, FIXTURE_CODE, GPU_IMAGE } from '../../conformance/features';
import { checkSageMakerArguments } from '../../support/aws';
import { stepsByName } from '../../support/aws/definition-steps';
import { TEST_IMAGE, testTarget } from '../../support/aws/sagemaker-target';

const code = FIXTURE_CODE;
const entry = 'noop.py';

function compile(pipeline: Pipeline): SageMakerPipelineDefinition {
  return compileSageMaker(pipeline, testTarget());
}

function processing(definition: SageMakerPipelineDefinition, name: string): ProcessingStepDefinition {
  const step = stepsByName(definition)[name];
  expect(step?.Type).toBe('Processing');
  return step as ProcessingStepDefinition;
}

function training(definition: SageMakerPipelineDefinition, name: string): TrainingStepDefinition {
  const step = stepsByName(definition)[name];
  expect(step?.Type).toBe('Training');
  return step as TrainingStepDefinition;
}

function conditionOf(pipeline: Pipeline, when: Condition): ConditionStepDefinition['Arguments']['Conditions'] {
  pipeline.addStep(Step.condition('gate', { when, then: [Step.fail('stop', { message: 'stop' })] }));
  return (stepsByName(compile(pipeline)).gate as ConditionStepDefinition).Arguments.Conditions;
}

describe('the Iris pipeline', () => {
  const definition = compile(irisPipeline());

  test('compiles to the expected definition', () => {
    expect(definition).toMatchSnapshot();
  });

  test('has version 2020-12-01, the typed parameters, and the steps in data-flow order', () => {
    expect(definition.Version).toBe('2020-12-01');
    expect(definition.Parameters).toEqual([
      { Name: 'minAccuracy', Type: 'Float', DefaultValue: 0.9 },
      { Name: 'nEstimators', Type: 'Integer', DefaultValue: 100 },
    ]);
    expect(definition.Steps.map((s) => `${s.Name}:${s.Type}`)).toEqual([
      'extract:Processing', 'clean:Processing', 'train:Training', 'evaluate:Processing', 'accuracy-gate:Condition',
    ]);
  });

  test('the gate reads the evaluate step\'s accuracy from its metrics property file and registers or fails', () => {
    const gate = stepsByName(definition)['accuracy-gate'] as ConditionStepDefinition;
    expect(gate.Arguments.Conditions).toEqual([{
      Type: 'GreaterThanOrEqualTo',
      LeftValue: { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.evaluate.PropertyFiles.metrics' }, Path: 'accuracy' } },
      RightValue: { Get: 'Parameters.minAccuracy' },
    }]);
    expect(gate.Arguments.IfSteps.map((s) => s.Type)).toEqual(['RegisterModel']);
    expect(gate.Arguments.ElseSteps).toEqual([{
      Name: 'too-inaccurate',
      Type: 'Fail',
      Arguments: { ErrorMessage: 'Test accuracy is below minAccuracy; the model was not registered' },
    }]);
    const evaluate = processing(definition, 'evaluate');
    expect(evaluate.PropertyFiles).toEqual([{ PropertyFileName: 'metrics', OutputName: 'mlops-metrics', FilePath: 'metrics.json' }]);
    const metricsOutput = evaluate.Arguments.ProcessingOutputConfig!.Outputs!.find((o) => o.OutputName === 'mlops-metrics')!;
    expect(metricsOutput.S3Output!.LocalPath).toBe('/opt/ml/processing/mlops/metrics');
    expect(evaluate.Arguments.Environment!.MLOPS_METRICS_FILE).toBe('/opt/ml/processing/mlops/metrics/metrics.json');
  });

  test('every step\'s Arguments match the SageMaker API model (botocore)', () => {
    expect(checkSageMakerArguments({ iris: definition })).toEqual([]);
  });
});

describe('script steps become processing jobs', () => {
  const p = new Pipeline('proc', { parameters: { rate: Parameter.number(0.5) } });
  const produce = Step.script('produce', { code, entry, outputs: ['data', 'extra'] });
  const consume = Step.script('consume', {
    code,
    entry,
    inputs: { data: produce.output('data') },
    params: { rate: p.parameter('rate'), mode: Value.string('full'), flag: Value.boolean(true) },
    env: { LOG_LEVEL: 'debug' },
    arguments: ['--mode', 'full'],
    metrics: ['score'],
    stringMetrics: ['label'],
    timeoutSeconds: 600,
    description: 'reads the data',
  });
  p.addStep(produce, consume);
  const step = processing(compile(p), 'consume');
  const args = step.Arguments;

  test('the code archive is an input and the launcher runs it with the entry, metrics and script arguments', () => {
    expect(args.ProcessingInputs![0]).toEqual({
      InputName: 'mlops-code',
      S3Input: {
        S3Uri: 's3://cdk-assets-123456789012-us-east-1/steps.zip',
        LocalPath: '/opt/ml/processing/mlops/code',
        S3DataType: 'S3Prefix',
        S3InputMode: 'File',
      },
    });
    expect(args.AppSpecification).toEqual({
      ImageUri: TEST_IMAGE,
      ContainerEntrypoint: ['python3', '/opt/ml/processing/mlops/code/steps.zip'],
      ContainerArguments: ['--entry', 'noop.py', '--metric', 'score', '--string-metric', 'label', '--', '--mode', 'full'],
    });
  });

  test('inputs read the producer\'s output through a Get, outputs go under the run\'s execution id', () => {
    expect(args.ProcessingInputs![1].S3Input!.S3Uri).toEqual({ Get: "Steps.produce.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri" });
    const producer = processing(compile(p), 'produce').Arguments.ProcessingOutputConfig!;
    expect(producer.Outputs!.map((o) => o.OutputName)).toEqual(['data', 'extra']);
    expect(producer.Outputs![0].S3Output).toEqual({
      S3Uri: { 'Std:Join': { On: '/', Values: ['s3://mlops-test-bucket/pipelines/test', { Get: 'Execution.PipelineExecutionId' }, 'produce/data'] } },
      LocalPath: '/opt/ml/processing/output/data',
      S3UploadMode: 'EndOfJob',
    });
    expect(producer.KmsKeyId).toBe(testTarget().kmsKeyArn);
  });

  test('the step contract, params (parameters as text via Std:Join) and env are environment variables, sorted', () => {
    expect(args.Environment).toEqual({
      LOG_LEVEL: 'debug',
      MLOPS_ENGINE: 'sagemaker',
      MLOPS_INPUT_DATA: '/opt/ml/processing/input/data',
      MLOPS_METRICS_FILE: '/opt/ml/processing/mlops/metrics/metrics.json',
      MLOPS_PARAM_FLAG: 'true',
      MLOPS_PARAM_MODE: 'full',
      MLOPS_PARAM_RATE: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.rate' }] } },
      MLOPS_PIPELINE: 'proc',
      MLOPS_RUN_ID: { Get: 'Execution.PipelineExecutionId' },
      MLOPS_STEP: 'consume',
    });
    expect(Object.keys(args.Environment!)).toEqual(Object.keys(args.Environment!).sort());
  });

  test('timeout, description, role and cluster: one instance of the smallest type, encrypted volume', () => {
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 600 });
    expect(step.Description).toBe('reads the data');
    expect(args.RoleArn).toBe(testTarget().roleArn);
    expect(args.ProcessingResources).toEqual({
      ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.t3.medium', VolumeSizeInGB: 30, VolumeKmsKeyId: testTarget().kmsKeyArn },
    });
    expect(step.RetryPolicies).toBeUndefined();
    expect(step.CacheConfig).toBeUndefined();
  });
});

describe('training steps become training jobs', () => {
  const p = new Pipeline('train', { parameters: { epochs: Parameter.integer(3) } });
  const prep = Step.script('prep', { code, entry, outputs: ['data'] });
  const base = Step.training('base', { code, entry });
  const fit = Step.training('fit', {
    code,
    entry,
    inputs: { data: prep.output('data'), warm: base.model() },
    params: { epochs: p.parameter('epochs') },
    metrics: ['loss', 'accuracy'],
  });
  p.addStep(prep, base, fit, Step.condition('gate', {
    when: Condition.gt(fit.metric('accuracy'), Value.number(0.8)),
    then: [Step.registerModel('register', { model: fit.model(), group: 'models' })],
  }));
  const definition = compile(p);
  const args = training(definition, 'fit').Arguments;

  test('the launcher runs from the code channel; model inputs are unpacked; metrics are echoed for MetricDefinitions', () => {
    expect(args.AlgorithmSpecification).toEqual({
      TrainingImage: TEST_IMAGE,
      TrainingInputMode: 'File',
      ContainerEntrypoint: ['python3', '/opt/ml/input/data/mlops-code/steps.zip'],
      ContainerArguments: ['--entry', 'noop.py', '--metric', 'loss', '--metric', 'accuracy', '--echo-metrics', '--unpack', 'warm'],
      MetricDefinitions: [
        { Name: 'loss', Regex: '\\[mlops-metric\\] loss=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' },
        { Name: 'accuracy', Regex: '\\[mlops-metric\\] accuracy=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' },
      ],
    });
  });

  test('channels: code, a processing output and another training step\'s model', () => {
    expect(args.InputDataConfig!.map((c) => [c.ChannelName, c.DataSource!.S3DataSource!.S3Uri])).toEqual([
      ['mlops-code', 's3://cdk-assets-123456789012-us-east-1/steps.zip'],
      ['data', { Get: "Steps.prep.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri" }],
      ['warm', { Get: 'Steps.base.ModelArtifacts.S3ModelArtifacts' }],
    ]);
    expect(args.Environment).toMatchObject({
      MLOPS_INPUT_DATA: '/opt/ml/input/data/data',
      MLOPS_INPUT_WARM: '/opt/ml/input/data/warm',
      MLOPS_MODEL_DIR: '/opt/ml/model',
      MLOPS_METRICS_FILE: '/opt/ml/output/data/metrics.json',
      MLOPS_PARAM_EPOCHS: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.epochs' }] } },
    });
  });

  test('output, resources and a one-day stopping condition by default', () => {
    expect(args.OutputDataConfig).toEqual({ S3OutputPath: 's3://mlops-test-bucket/pipelines/test/fit', KmsKeyId: testTarget().kmsKeyArn });
    expect(args.ResourceConfig).toEqual({ InstanceType: 'ml.t3.medium', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: testTarget().kmsKeyArn });
    expect(args.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 86400 });
  });

  test('conditions read training metrics from FinalMetricDataList; register-model reads the model artifacts', () => {
    const gate = stepsByName(definition).gate as ConditionStepDefinition;
    expect(gate.Arguments.Conditions).toEqual([{ Type: 'GreaterThan', LeftValue: { Get: "Steps.fit.FinalMetricDataList['accuracy'].Value" }, RightValue: 0.8 }]);
    const register = stepsByName(definition).register as RegisterModelStepDefinition;
    expect(register.Arguments).toEqual({
      ModelPackageGroupName: 'models',
      InferenceSpecification: {
        Containers: [{ Image: TEST_IMAGE, ModelDataUrl: { Get: 'Steps.fit.ModelArtifacts.S3ModelArtifacts' } }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ModelApprovalStatus: 'PendingManualApproval',
    });
  });

  test('the MetricDefinitions regex reads what the launcher prints for each metric', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-'));
    try {
      fs.writeFileSync(path.join(dir, 'fit.py'), 'import json, os\njson.dump({"loss": 1.5e-05, "accuracy": 0.9666666666666667}, open(os.environ["MLOPS_METRICS_FILE"], "w"))\n');
      const run = spawnSync('python3', [LAUNCHER_PATH, '--code', dir, '--entry', 'fit.py', '--env', `MLOPS_METRICS_FILE=${dir}/out/metrics.json`,
        ...(args.AlgorithmSpecification!.ContainerArguments as string[]).slice(2).filter((a) => a !== '--unpack' && a !== 'warm')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      const values = Object.fromEntries(args.AlgorithmSpecification!.MetricDefinitions!.map((m) => [m.Name, Number(new RegExp(m.Regex as string).exec(run.stdout)?.[1])]));
      expect(values).toEqual({ loss: 1.5e-05, accuracy: 0.9666666666666667 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('conditions', () => {
  const metricPipeline = () => {
    const p = new Pipeline('cond', { parameters: { min: Parameter.number(0.5), tier: Parameter.string('gold') } });
    const e = Step.script('evaluate', { code, entry, metrics: ['score'], stringMetrics: ['label'] });
    p.addStep(e);
    return { p, score: e.metric('score'), label: e.metric('label') };
  };
  const score = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.evaluate.PropertyFiles.metrics' }, Path: 'score' } };
  const label = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.evaluate.PropertyFiles.metrics' }, Path: 'label' } };

  test.each([
    ['eq', 'Equals'],
    ['lt', 'LessThan'],
    ['lte', 'LessThanOrEqualTo'],
    ['gt', 'GreaterThan'],
    ['gte', 'GreaterThanOrEqualTo'],
  ] as const)('Condition.%s becomes %s', (factory, type) => {
    const { p, score: s } = metricPipeline();
    expect(conditionOf(p, Condition[factory](s, p.parameter('min')))).toEqual([{ Type: type, LeftValue: score, RightValue: { Get: 'Parameters.min' } }]);
  });

  test('!= is Not(Equals); isIn is In; not(not(x)) is x', () => {
    const { p, label: l } = metricPipeline();
    expect(conditionOf(p, Condition.and(
      Condition.ne(l, Value.string('bad')),
      Condition.isIn(l, [Value.string('good'), p.parameter('tier')]),
      Condition.not(Condition.not(Condition.eq(l, Value.string('fine')))),
    ))).toEqual([
      { Type: 'Not', Condition: { Type: 'Equals', LeftValue: label, RightValue: 'bad' } },
      { Type: 'In', QueryValue: label, Values: ['good', { Get: 'Parameters.tier' }] },
      { Type: 'Equals', LeftValue: label, RightValue: 'fine' },
    ]);
  });

  test('a top-level and is the Conditions list; an and under or becomes not(or(not a, not b)) (SageMaker has no And)', () => {
    const { p, score: s } = metricPipeline();
    const a = Condition.gt(s, Value.number(0.9));
    const b = Condition.lt(s, Value.number(0.95));
    const c = Condition.eq(s, Value.number(0));
    expect(conditionOf(p, Condition.or(Condition.and(a, b), c))).toEqual([{
      Type: 'Or',
      Conditions: [
        {
          Type: 'Not',
          Condition: {
            Type: 'Or',
            Conditions: [
              { Type: 'Not', Condition: { Type: 'GreaterThan', LeftValue: score, RightValue: 0.9 } },
              { Type: 'Not', Condition: { Type: 'LessThan', LeftValue: score, RightValue: 0.95 } },
            ],
          },
        },
        { Type: 'Equals', LeftValue: score, RightValue: 0 },
      ],
    }]);
  });

  test('not(and(a, b)) becomes or(not a, not b)', () => {
    const { p, score: s } = metricPipeline();
    expect(conditionOf(p, Condition.not(Condition.and(Condition.gt(s, Value.number(1)), Condition.lt(s, Value.number(2)))))).toEqual([{
      Type: 'Or',
      Conditions: [
        { Type: 'Not', Condition: { Type: 'GreaterThan', LeftValue: score, RightValue: 1 } },
        { Type: 'Not', Condition: { Type: 'LessThan', LeftValue: score, RightValue: 2 } },
      ],
    }]);
  });

  test('a condition inside a branch becomes a condition step in IfSteps', () => {
    const definition = compile(FEATURES.find((f) => f.id === 'nested-condition')!.build());
    const outer = definition.Steps.find((s) => s.Name === 'outer') as ConditionStepDefinition;
    const inner = outer.Arguments.IfSteps[0] as ConditionStepDefinition;
    expect(inner.Type).toBe('Condition');
    expect([inner.Arguments.IfSteps[0].Name, inner.Arguments.ElseSteps[0].Name]).toEqual(['excellent', 'good']);
    expect(definition.Steps.map((s) => s.Name)).toEqual(['evaluate', 'outer']);
  });
});

describe('parameters', () => {
  test('each type maps to SageMaker\'s; defaults and allowed values carry over; no default stays without one', () => {
    const p = new Pipeline('params', {
      parameters: {
        region: Parameter.string('eu', { allowedValues: ['eu', 'us'] }),
        epochs: Parameter.integer(3),
        rate: Parameter.number(0.1),
        verbose: Parameter.boolean(false),
        required: Parameter.string(),
      },
    });
    p.addStep(Step.fail('stop', { message: 'x' }));
    expect(compile(p).Parameters).toEqual([
      { Name: 'region', Type: 'String', DefaultValue: 'eu', EnumValues: ['eu', 'us'] },
      { Name: 'epochs', Type: 'Integer', DefaultValue: 3 },
      { Name: 'rate', Type: 'Float', DefaultValue: 0.1 },
      { Name: 'verbose', Type: 'Boolean', DefaultValue: false },
      { Name: 'required', Type: 'String' },
    ]);
  });
});

describe('retries', () => {
  test('SageMaker retries its own faults and the launcher retries the script, both with the model\'s policy', () => {
    const p = new Pipeline('retry');
    p.addStep(Step.script('flaky', { code, entry, retry: RetryPolicy.of({ maxRetries: 3, intervalSeconds: 2.5, backoffRate: 1.5 }) }));
    const step = processing(compile(p), 'flaky');
    expect(step.RetryPolicies).toEqual([
      { ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], IntervalSeconds: 3, BackoffRate: 1.5, MaxAttempts: 3 },
      { ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'], IntervalSeconds: 3, BackoffRate: 1.5, MaxAttempts: 3 },
    ]);
    expect(step.Arguments.AppSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py', '--retries', '3', '--interval', '2.5', '--backoff', '1.5']);
  });

  test('the pipeline default applies; RetryPolicy.none() on a step turns it off', () => {
    const p = new Pipeline('retry-default', { defaultRetry: RetryPolicy.of({ maxRetries: 2 }) });
    p.addStep(Step.script('a', { code, entry }), Step.script('b', { code, entry, retry: RetryPolicy.none() }));
    const d = compile(p);
    expect(processing(d, 'a').RetryPolicies![0]).toMatchObject({ MaxAttempts: 2, IntervalSeconds: 10, BackoffRate: 2 });
    expect(processing(d, 'b').RetryPolicies).toBeUndefined();
    expect(processing(d, 'b').Arguments.AppSpecification!.ContainerArguments).toEqual(['--entry', 'noop.py']);
  });
});

describe('caching', () => {
  test('an enabled cache becomes CacheConfig; expiry in ISO 8601 hours, or minutes for fractions', () => {
    const p = new Pipeline('cache');
    p.addStep(
      Step.script('forever', { code, entry, cache: CachePolicy.enabled() }),
      Step.script('day', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 24 }) }),
      Step.script('ninety', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 1.5 }) }),
      Step.training('fit', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 2 }) }),
      Step.script('off', { code, entry }),
    );
    const d = compile(p);
    expect(processing(d, 'forever').CacheConfig).toEqual({ Enabled: true });
    expect(processing(d, 'day').CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'PT24H' });
    expect(processing(d, 'ninety').CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'PT90M' });
    expect(training(d, 'fit').CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'PT2H' });
    expect(processing(d, 'off').CacheConfig).toBeUndefined();
  });

  test('a cached step gets no MLOPS_RUN_ID (it would change its arguments every run and defeat the cache)', () => {
    const p = new Pipeline('cache-env');
    p.addStep(Step.script('cached', { code, entry, cache: CachePolicy.enabled() }), Step.script('fresh', { code, entry }));
    const d = compile(p);
    expect(processing(d, 'cached').Arguments.Environment).not.toHaveProperty('MLOPS_RUN_ID');
    expect(processing(d, 'fresh').Arguments.Environment).toHaveProperty('MLOPS_RUN_ID');
  });
});

describe('resources', () => {
  const typeFor = (resources: object, kind: 'script' | 'training' = 'script') => {
    const p = new Pipeline('res');
    const image = (resources as { gpu?: number }).gpu ? GPU_IMAGE : undefined;
    p.addStep(kind === 'script' ? Step.script('s', { code, entry, image, resources }) : Step.training('s', { code, entry, image, resources }));
    const step = stepsByName(compile(p)).s;
    return step.Type === 'Processing'
      ? step.Arguments.ProcessingResources!.ClusterConfig!
      : (step as TrainingStepDefinition).Arguments.ResourceConfig!;
  };

  test.each([
    [{}, 'ml.t3.medium'],
    [{ cpu: 1, memoryGiB: 2 }, 'ml.t3.medium'],
    [{ cpu: 2, memoryGiB: 16 }, 'ml.r5.large'],
    [{ cpu: 4, memoryGiB: 8 }, 'ml.c5.xlarge'],
    [{ cpu: 4, memoryGiB: 16 }, 'ml.t3.xlarge'],
    [{ cpu: 16, memoryGiB: 100 }, 'ml.r5.4xlarge'],
    [{ cpu: 4, memoryGiB: 16, gpu: 1 }, 'ml.g4dn.xlarge'],
    [{ gpu: 4 }, 'ml.p3.8xlarge'],
    [{ gpu: 8, memoryGiB: 600 }, 'ml.g5.48xlarge'],
  ])('%j -> %s (fewest GPUs, then vCPUs, then memory)', (resources, type) => {
    expect(typeFor(resources).InstanceType).toBe(type);
    expect(typeFor(resources, 'training').InstanceType).toBe(type);
  });

  test('types with instance storage get no volume KMS key (SageMaker rejects one); others do', () => {
    expect(typeFor({ gpu: 1 })).toEqual({ InstanceCount: 1, InstanceType: 'ml.g4dn.xlarge', VolumeSizeInGB: 30 });
    expect(typeFor({ gpu: 1 }, 'training')).not.toHaveProperty('VolumeKmsKeyId');
    expect(typeFor({ cpu: 8 })).toHaveProperty('VolumeKmsKeyId');
  });

  test('sageMakerInstanceType wins; diskGiB sets the volume size (rounded up)', () => {
    expect(typeFor({ cpu: 1, sageMakerInstanceType: 'ml.m5.4xlarge', diskGiB: 99.5 })).toMatchObject({ InstanceType: 'ml.m5.4xlarge', VolumeSizeInGB: 100 });
    // Outside the table: accepted when SageMaker knows it, without a volume key (instance storage unknown).
    expect(typeFor({ sageMakerInstanceType: 'ml.m6i.large' })).toEqual({ InstanceCount: 1, InstanceType: 'ml.m6i.large', VolumeSizeInGB: 30 });
  });

  test('the pipeline\'s default resources apply field by field', () => {
    const p = new Pipeline('defaults', { defaultResources: { cpu: 8, memoryGiB: 16 } });
    p.addStep(Step.script('a', { code, entry }), Step.script('b', { code, entry, resources: { memoryGiB: 64 } }));
    const d = compile(p);
    expect(processing(d, 'a').Arguments.ProcessingResources!.ClusterConfig!.InstanceType).toBe('ml.c5.2xlarge');
    expect(processing(d, 'b').Arguments.ProcessingResources!.ClusterConfig!.InstanceType).toBe('ml.r5.2xlarge');
  });
});

describe('forEach', () => {
  test('unrolls into one step per item with stable names and MLOPS_ITEM; dependsOn waits for every copy', () => {
    const d = compile(FEATURES.find((f) => f.id === 'fan-out')!.build());
    expect(d.Steps.map((s) => s.Name)).toEqual(['each-a', 'each-b', 'each-c', 'after']);
    expect(processing(d, 'each-b').Arguments.Environment).toMatchObject({ MLOPS_ITEM: 'b', MLOPS_STEP: 'each' });
    expect(processing(d, 'after').DependsOn).toEqual(['each-a', 'each-b', 'each-c']);
    expect(processing(d, 'each-c').Arguments.ProcessingOutputConfig!.Outputs).toEqual([]);
  });
});

describe('dependsOn, register-model and fail steps', () => {
  test('explicit dependsOn becomes DependsOn; data dependencies stay implicit in the Get references', () => {
    const d = compile(FEATURES.find((f) => f.id === 'depends-on')!.build());
    expect(processing(d, 'second').DependsOn).toEqual(['first']);
    expect(processing(d, 'first').DependsOn).toBeUndefined();
  });

  test('register-model takes the step\'s image, approval, content types and description', () => {
    const p = new Pipeline('reg');
    const t = Step.training('fit', { code, entry });
    p.addStep(t, Step.registerModel('register', {
      model: t.model(),
      group: 'churn-models',
      approval: ModelApproval.APPROVED,
      image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve:1',
      contentTypes: ['application/json'],
      responseTypes: ['application/json'],
      description: 'churn model',
    }));
    const register = stepsByName(compile(p)).register as RegisterModelStepDefinition;
    expect(register.Description).toBe('churn model');
    expect(register.Arguments).toMatchObject({
      ModelPackageGroupName: 'churn-models',
      ModelPackageDescription: 'churn model',
      ModelApprovalStatus: 'Approved',
      InferenceSpecification: {
        Containers: [{ Image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/serve:1' }],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
      },
    });
  });

  test('a default inference image in the target is used for register-model steps that name none', () => {
    const p = FEATURES.find((f) => f.id === 'register-model')!.build();
    const d = compileSageMaker(p, testTarget({ defaultInferenceImage: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/infer:2' }));
    expect((stepsByName(d).register as RegisterModelStepDefinition).Arguments.InferenceSpecification!.Containers![0].Image).toBe('111122223333.dkr.ecr.eu-west-1.amazonaws.com/infer:2');
  });
});

describe('determinism', () => {
  test('the same pipeline compiles to byte-identical JSON, built twice or compiled twice', () => {
    const first = JSON.stringify(compile(irisPipeline()));
    expect(JSON.stringify(compile(irisPipeline()))).toBe(first);
    const p = irisPipeline();
    expect(JSON.stringify(compile(p))).toBe(JSON.stringify(compile(p)));
  });

  test('deploy-time values (tokens) in the target pass through unchecked', () => {
    const token = '${Token[TOKEN.42]}';
    const d = compileSageMaker(irisPipeline(), testTarget({ defaultImage: token, roleArn: token, isUnresolved: (v) => v.includes('${Token[') }));
    expect(processing(d, 'extract').Arguments.AppSpecification!.ImageUri).toBe(token);
  });
});

test('every conformance feature compiles to arguments the SageMaker API model accepts', () => {
  const definitions = Object.fromEntries(FEATURES.map((f) => [f.id, compile(f.build())]));
  expect(checkSageMakerArguments(definitions)).toEqual([]);
});
