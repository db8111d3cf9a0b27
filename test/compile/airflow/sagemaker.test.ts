import { irisPipeline } from '../../../examples/iris/pipeline';
import { Condition, DataSource, Pipeline, Step, Value } from '../../../lib';
import { AirflowOptions, AirflowSageMakerOptions, AirflowVersion, compileAirflow } from '../../../lib/compile/airflow';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { dagAst, execDag, Json, pyCompileProblems, sageMakerRequestProblems } from '../../support/airflow';

const SAGEMAKER: AirflowSageMakerOptions = {
  roleArn: 'arn:aws:iam::123456789012:role/mlops-jobs',
  bucketName: 'mlops-artifacts',
  prefix: 'pipelines/iris',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  defaultImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:1',
  codeUri: () => 's3://cdk-assets-123456789012-us-east-1/0f1e2d3c.zip',
  inferenceCodeUri: () => 's3://cdk-assets-123456789012-us-east-1/4b5a6978.tar.gz',
};
const RUN_ID = 'manual__2025-01-01T00:00:00+00:00';
const RUN_DIR = `s3://mlops-artifacts/pipelines/iris/runs/${RUN_ID}`;
const MODEL = `${RUN_DIR}/train/model/iris-train-abc/output/model.tar.gz`;
/** What SageMakerTrainingOperator returns (its DescribeTrainingJob), the part later tasks read. */
const TRAINED = { Training: { TrainingJobName: 'iris-train-abc', ModelArtifacts: { S3ModelArtifacts: MODEL }, OutputDataConfig: { S3OutputPath: `${RUN_DIR}/train/model` } } };
const EVALUATE_METRICS = `${RUN_DIR}/evaluate/mlops-metrics/metrics.json`;

function options(airflowVersion: AirflowVersion = '2.10', sagemaker: Partial<AirflowSageMakerOptions> = {}): AirflowOptions {
  return { executor: 'sagemaker', airflowVersion, cache: 'run-always', sagemaker: { ...SAGEMAKER, ...sagemaker } };
}

/** The run's rendered requests, labelled for the botocore check. */
function requests(run: Json): { [label: string]: [string, Json] } {
  const out: { [label: string]: [string, Json] } = {};
  for (const [task, kwargs] of Object.entries(run.rendered as Json)) {
    const all = Array.isArray(kwargs) ? kwargs : [kwargs];
    all.forEach((k: Json, i: number) => {
      out[`${task}[${i}]`] = ['TrainingJobName' in k.config ? 'CreateTrainingJobRequest' : 'CreateProcessingJobRequest', k.config];
    });
  }
  (run.calls as Json[]).filter((c) => c.call === 'create_model_package').forEach((c, i) => {
    out[`create_model_package[${i}]`] = ['CreateModelPackageInput', c.request];
  });
  return out;
}

describe.each(['2.10', '3'] as AirflowVersion[])('Iris on Airflow %s, executor sagemaker', (version) => {
  const dag = compileAirflow(irisPipeline(), options(version));

  test('DAG file snapshot', () => {
    expect(dag.source).toMatchSnapshot();
  });

  test('the file compiles with py_compile, and compiling again gives the same bytes; nothing ships next to it', () => {
    expect(pyCompileProblems(dag.source)).toBe('');
    expect(compileAirflow(irisPipeline(), options(version)).source).toBe(dag.source);
    expect(dag).toMatchObject({ codeFolders: [], files: {}, codeConfigMaps: [], launcherPath: undefined });
  });

  test('ast: processing and training operators with their configs; hooks imported only inside functions', () => {
    const ast = dagAst(dag.source);
    expect(ast.top_level).toEqual([]);
    expect(ast.imports).toEqual(expect.arrayContaining([
      'airflow.providers.amazon.aws.operators.sagemaker.SageMakerProcessingOperator',
      'airflow.providers.amazon.aws.operators.sagemaker.SageMakerTrainingOperator',
    ]));
    expect(ast.imports.filter((i: string) => i.includes('.hooks.'))).toEqual([]);
    expect(dag.source).toContain('\n    from airflow.providers.amazon.aws.hooks.s3 import S3Hook\n');
    expect(dag.source).toContain('\n    from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook\n');
    // The JOBS table's helpers build each job's config at parse time (operator-kwargs.test.ts: the same configs as written out before).
    expect(ast.helpers).toEqual(['sagemaker_job_name', 'metric', 'register_model_version', 'run_uri', 'job_environment', 'job_resources', 's3_input', 's3_output', 'processing_config', 'channel', 'training_config']);
    expect(ast.constants).toMatchObject({ BUCKET: 'mlops-artifacts', RUNS_KEY: 'pipelines/iris/runs', RUN_DIR: 's3://${BUCKET}/${RUNS_KEY}/{{ run_id }}', AWS_CONN_ID: 'aws_default', REGION: null });
    expect(ast.dag.user_defined_macros).toEqual({ sagemaker_job_name: '${sagemaker_job_name}' });
    expect(Object.fromEntries(Object.entries(ast.tasks).map(([id, t]) => [id, (t as Json).kind]))).toEqual({
      'extract': 'SageMakerProcessingOperator',
      'clean': 'SageMakerProcessingOperator',
      'train': 'SageMakerTrainingOperator',
      'evaluate': 'SageMakerProcessingOperator',
      'accuracy-gate': 'task.branch',
      'register': 'register_model_version',
      'too-inaccurate': 'task',
    });
    const train = ast.tasks.train.kwargs;
    expect(train).toMatchObject({ task_id: 'train', retries: 1, retry_delay: { timedelta_seconds: 5 }, retry_exponential_backoff: true, aws_conn_id: '${AWS_CONN_ID}', wait_for_completion: true, action_if_job_exists: 'timestamp' });
    expect(train.config).toMatchObject({
      TrainingJobName: "{{ sagemaker_job_name('iris-train', 'train', run_id) }}",
      RoleArn: SAGEMAKER.roleArn,
      AlgorithmSpecification: {
        TrainingImage: SAGEMAKER.defaultImage,
        ContainerEntrypoint: ['python3', '/opt/ml/input/data/mlops-code/0f1e2d3c.zip'],
        ContainerArguments: ['--entry', 'train.py', '--metric', 'trainAccuracy', '--echo-metrics'],
        MetricDefinitions: [{ Name: 'trainAccuracy', Regex: '\\[mlops-metric\\] trainAccuracy=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)' }],
      },
      OutputDataConfig: { S3OutputPath: '${RUN_DIR}/train/model', KmsKeyId: SAGEMAKER.kmsKeyArn },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: SAGEMAKER.kmsKeyArn },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    });
    expect(train.config.InputDataConfig.map((c: Json) => [c.ChannelName, c.DataSource.S3DataSource.S3Uri])).toEqual([
      ['mlops-code', 's3://cdk-assets-123456789012-us-east-1/0f1e2d3c.zip'],
      ['data', '${RUN_DIR}/clean/train/'],
    ]);
    const evaluate = ast.tasks.evaluate.kwargs.config;
    expect(evaluate.ProcessingInputs.map((i: Json) => [i.InputName, i.S3Input.S3Uri, i.S3Input.LocalPath])).toEqual([
      ['mlops-code', 's3://cdk-assets-123456789012-us-east-1/0f1e2d3c.zip', '/opt/ml/processing/mlops/code'],
      ['model', "{{ ti.xcom_pull(task_ids='train')['Training']['ModelArtifacts']['S3ModelArtifacts'] }}", '/opt/ml/processing/input/model'],
      ['test', '${RUN_DIR}/clean/test/', '/opt/ml/processing/input/test'],
    ]);
    expect(evaluate.ProcessingOutputConfig.Outputs.map((o: Json) => [o.OutputName, o.S3Output.S3Uri, o.S3Output.LocalPath])).toEqual([
      ['report', '${RUN_DIR}/evaluate/report/', '/opt/ml/processing/output/report'],
      ['mlops-metrics', '${RUN_DIR}/evaluate/mlops-metrics/', '/opt/ml/processing/mlops/metrics'],
    ]);
    expect(evaluate.AppSpecification.ContainerArguments).toEqual(['--entry', 'evaluate.py', '--metric', 'accuracy', '--metric', 'f1Macro', '--unpack', 'model']);
    expect(ast.tasks.register.call.request.InferenceSpecification.Containers[0].Environment).toEqual({
      SAGEMAKER_PROGRAM: 'inference.py',
      SAGEMAKER_SUBMIT_DIRECTORY: 's3://cdk-assets-123456789012-us-east-1/4b5a6978.tar.gz',
      SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    });
  });

  test('exec: the branch reads evaluate\'s metrics.json from S3, register creates the model version; every request is valid per botocore', () => {
    const xcom = { extract: { Processing: {} }, clean: { Processing: {} }, train: TRAINED, evaluate: { Processing: {} } };
    const pass = execDag(dag.source, { run_id: RUN_ID, xcom, s3: { [EVALUATE_METRICS]: '{"accuracy": 0.95, "f1Macro": 0.94}' } });
    expect(pass.tasks.train.kind).toBe('SageMakerTrainingOperator');
    expect(pass.run.states).toMatchObject({ 'accuracy-gate': 'success', 'register': 'success', 'too-inaccurate': 'skipped' });
    expect(pass.run.xcom.register).toBe('arn:aws:sagemaker:us-east-1:123456789012:model-package/iris-classifier/1');
    expect(pass.run.calls[0]).toEqual({ hook: 'S3Hook', aws_conn_id: 'aws_default', region_name: null, read: EVALUATE_METRICS });
    const create = pass.run.calls.find((c: Json) => c.call === 'create_model_package');
    expect(create.request).toEqual({
      ModelPackageGroupName: 'iris-classifier',
      InferenceSpecification: {
        Containers: [{
          Image: SAGEMAKER.defaultImage,
          ModelDataUrl: MODEL,
          Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: 's3://cdk-assets-123456789012-us-east-1/4b5a6978.tar.gz', SAGEMAKER_CONTAINER_LOG_LEVEL: '20' },
        }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ModelApprovalStatus: 'Approved',
    });
    const rendered = pass.run.rendered;
    expect(Object.keys(rendered).sort()).toEqual(['clean', 'evaluate', 'extract', 'train']);
    expect(rendered.evaluate.config.ProcessingInputs[1].S3Input.S3Uri).toBe(MODEL);
    expect(rendered.clean.config.ProcessingOutputConfig.Outputs[0].S3Output.S3Uri).toBe(`${RUN_DIR}/clean/train/`);
    expect(rendered.train.config.Environment).toMatchObject({ MLOPS_RUN_ID: RUN_ID, MLOPS_PARAM_NESTIMATORS: '100', MLOPS_INPUT_DATA: '/opt/ml/input/data/data', MLOPS_MODEL_DIR: '/opt/ml/model' });
    const names = ['extract', 'clean', 'evaluate'].map((t) => rendered[t].config.ProcessingJobName).concat(rendered.train.config.TrainingJobName);
    names.forEach((name: string, i: number) => expect(name).toMatch(new RegExp(`^iris-${['extract', 'clean', 'evaluate', 'train'][i]}-[0-9a-f]{12}$`)));
    expect(sageMakerRequestProblems(requests(pass.run))).toEqual([]);

    // Another run, other job names (SageMaker job names are unique per account and region, forever).
    const other = execDag(dag.source, { run_id: 'manual__2025-01-02T00:00:00+00:00', xcom, s3: { [EVALUATE_METRICS.replace('01T', '02T')]: '{"accuracy": 0.95}' } });
    expect(other.run.rendered.train.config.TrainingJobName).not.toBe(rendered.train.config.TrainingJobName);
    expect(other.run.rendered.train.config.TrainingJobName.startsWith('iris-train-')).toBe(true);
  });

  test('exec: below minAccuracy no model version is created and the fail task fails; a missing metric fails the branch', () => {
    const xcom = { extract: {}, clean: {}, train: TRAINED, evaluate: {} };
    const fail = execDag(dag.source, { run_id: RUN_ID, xcom, params: { minAccuracy: 0.99 }, s3: { [EVALUATE_METRICS]: '{"accuracy": 0.95}' } });
    expect(fail.run.states).toMatchObject({ 'register': 'skipped', 'too-inaccurate': 'failed' });
    expect(fail.run.calls.filter((c: Json) => c.hook === 'SageMakerHook')).toEqual([]);
    const missing = execDag(dag.source, { run_id: RUN_ID, xcom, s3: { [EVALUATE_METRICS]: '{"f1Macro": 0.9}' } });
    expect(missing.run.errors['accuracy-gate']).toEqual({ type: 'AirflowFailException', message: "step 'evaluate' reported no metric 'accuracy' (got: ['f1Macro'])" });
  });
});

function problems(p: Pipeline, given: AirflowOptions): string[] {
  try {
    compileAirflow(p, given);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a synth-time error');
}

function pipeline(...steps: Step[]): Pipeline {
  const p = new Pipeline('sm');
  p.addStep(...steps);
  return p;
}

const entry = 'noop.py';

test('a branch on a training step\'s metric reads metrics.json from the job\'s output.tar.gz', () => {
  const fit = Step.training('fit', { code, entry, metrics: ['score'] });
  const gate = Step.condition('gate', { when: Condition.gte(fit.metric('score'), Value.number(0.5)), then: [Step.fail('good', { message: 'good' })], otherwise: [Step.fail('bad', { message: 'bad' })] });
  const dag = compileAirflow(pipeline(fit, gate), options());
  const fitted = { Training: { TrainingJobName: 'sm-fit-1', OutputDataConfig: { S3OutputPath: 's3://mlops-artifacts/x/fit/model' } } };
  const run = execDag(dag.source, { xcom: { fit: fitted }, s3: { 's3://mlops-artifacts/x/fit/model/sm-fit-1/output/output.tar.gz': { tar: { 'metrics.json': '{"score": 0.7}' } } } });
  expect(run.run.states).toMatchObject({ gate: 'success', good: 'failed', bad: 'skipped' });
  expect(run.run.errors.good.message).toBe('good');
});

test('forEach: the operator is mapped over one config per item, each with its own job name and output folder', () => {
  const fan = Step.script('fan', { code, entry, forEach: ['a', 'b'], outputs: ['out'], metrics: ['score'] });
  const gather = Step.script('gather', { code, entry, inputs: { all: fan.collect('out'), scores: fan.collectMetrics() } });
  const dag = compileAirflow(pipeline(fan, gather), options('3'));
  expect(pyCompileProblems(dag.source)).toBe('');
  const run = execDag(dag.source, { run_id: RUN_ID, xcom: { fan: [{}, {}], gather: {} } });
  const [a, b] = run.run.rendered.fan.map((k: Json) => k.config);
  expect(a.ProcessingJobName).toMatch(/^sm-fan-a-[0-9a-f]{12}$/);
  expect(b.ProcessingJobName).toMatch(/^sm-fan-b-[0-9a-f]{12}$/);
  expect(a.ProcessingOutputConfig.Outputs.map((o: Json) => o.S3Output.S3Uri)).toEqual([`${RUN_DIR}/fan/out/a/`, `${RUN_DIR}/fan/mlops-metrics/a/`]);
  expect(a.Environment.MLOPS_ITEM).toBe('a');
  expect(run.run.rendered.gather.config.ProcessingInputs.slice(1).map((i: Json) => [i.InputName, i.S3Input.S3Uri])).toEqual([
    ['all', `${RUN_DIR}/fan/out/`],
    ['scores', `${RUN_DIR}/fan/mlops-metrics/`],
  ]);
  expect(sageMakerRequestProblems(requests(run.run))).toEqual([]);
});

test('job names stay within 49 characters and SageMaker\'s alphabet, so the provider\'s retry suffix still fits in 63', () => {
  const long = 'a_very-long-step_name_that_goes_on_and_on_and_on_and_on';
  const dag = compileAirflow(pipeline(Step.script(long, { code, entry })), options('2.10', {}));
  const run = execDag(dag.source, { run_id: RUN_ID, xcom: { [long]: {} } });
  const name = run.run.rendered[long].config.ProcessingJobName;
  expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  expect(name.length).toBeLessThanOrEqual(49);
  expect(name.startsWith('sm-a-very-long-step-name-that-goes-')).toBe(true);
});

test('GPU steps run on the instance type they name; a volume KMS key is left out for types with instance storage', () => {
  const dag = compileAirflow(pipeline(Step.training('fit', { code, entry, resources: { gpu: 1, sageMakerInstanceType: 'ml.g5.xlarge' }, timeoutSeconds: 3600 })), options());
  const config = dagAst(dag.source).tasks.fit.kwargs.config;
  expect(config.ResourceConfig).toEqual({ InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 });
  expect(config.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600 });
  expect(dagAst(dag.source).tasks.fit.kwargs.execution_timeout).toEqual({ timedelta_seconds: 3600 });
});

describe('bad input', () => {
  const only = () => pipeline(Step.script('only', { code, entry }));

  test('executor sagemaker without its options, or with options of the other executors', () => {
    expect(problems(only(), { executor: 'sagemaker' })).toEqual([
      "executor 'sagemaker' needs the sagemaker options (roleArn, bucketName, prefix, defaultImage, codeUri); give options.sagemaker, or compile through aws.MlPipeline, which fills them in",
    ]);
    expect(problems(only(), { ...options(), sagemaker: { ...SAGEMAKER, roleArn: '' } })).toEqual(["sagemaker.roleArn '' is invalid (allowed: a non-empty string)"]);
    expect(problems(only(), { ...options(), dataRoot: '/data' })).toEqual([
      "dataRoot and registryRoot apply to the 'python' and 'kubernetes' executors; the 'sagemaker' executor keeps data under s3://<sagemaker.bucketName>/<sagemaker.prefix>/runs and registers models in the SageMaker Model Registry; leave them out",
    ]);
  });

  test('a GPU step without a GPU instance type names the step, the type and where it came from', () => {
    expect(problems(pipeline(Step.training('fit', { code, entry, resources: { gpu: 1 } })), options())).toEqual([
      "step 'fit': asks for 1 GPU(s), but runs on ml.m5.large (the default, ml.m5.large), which has no GPU; set the step's resources.sageMakerInstanceType to a GPU instance type, e.g. 'ml.g5.xlarge', or remove resources.gpu",
    ]);
    expect(problems(pipeline(Step.script('prep', { code, entry, resources: { gpu: 2 } })), options('2.10', { defaultInstanceType: 'ml.c5.xlarge' }))).toEqual([
      "step 'prep': asks for 2 GPU(s), but runs on ml.c5.xlarge (sagemaker.defaultInstanceType), which has no GPU; set the step's resources.sageMakerInstanceType to a GPU instance type, e.g. 'ml.g5.xlarge', or remove resources.gpu",
    ]);
  });

  test('code and data SageMaker cannot take: an archive URI without its file name, local paths, a too-long env value, inference code with nowhere to go', () => {
    expect(problems(only(), options('2.10', { codeUri: () => 's3://bucket/${Token[TOKEN.1]}' }))).toEqual([
      "step 'only': sagemaker.codeUri gave \"s3://bucket/${Token[TOKEN.1]}\" for its code, which does not end in the archive's file name (e.g. 's3://bucket/assets/<hash>.zip'); SageMaker downloads the archive under that name and the job runs it, so it must be known at synth",
    ]);
    expect(problems(pipeline(Step.script('read', { code, entry, inputs: { data: DataSource.fromUri('/mnt/data') } })), options())).toEqual([
      "step 'read': input 'data' reads /mnt/data (scheme 'file'), but SageMaker jobs on Airflow's 'sagemaker' executor read s3:// URIs only; upload the data to S3 and give its s3:// URI",
    ]);
    expect(problems(pipeline(Step.script('big', { code, entry, env: { BIG: 'x'.repeat(300) } })), options())).toEqual([
      "step 'big': environment variable BIG is 300 characters long, but this SageMaker job type takes at most 256; shorten it or pass it in a file",
    ]);
    const iris = irisPipeline();
    expect(problems(iris, options('2.10', { inferenceCodeUri: undefined }))).toEqual([
      "step 'register': has inference code, but the sagemaker options give no place for it (sagemaker.inferenceCodeUri); compile through aws.MlPipeline, which uploads it, or leave 'inference' out",
    ]);
  });
});
