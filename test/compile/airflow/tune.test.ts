/**
 * Tuning steps on Airflow: the 'sagemaker' executor starts a SageMaker tuning job
 * (SageMakerTuningOperator) whose best model, parameters and objective metric later tasks read
 * from its XCom; the python and kubernetes executors refuse the step at synth time.
 */
import { gatedDeployPipeline } from '../../../examples/katib-gated-deploy/pipeline';
import { Objective, Pipeline, Range, Step } from '../../../lib';
import { AirflowOptions, AirflowSageMakerOptions, AirflowVersion, compileAirflow } from '../../../lib/compile/airflow';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { FEATURES, FIXTURE_CODE as code } from '../../conformance/features';
import { dagAst, execDag, Json, pyCompileProblems, sageMakerRequestProblems } from '../../support/airflow';

const SAGEMAKER: AirflowSageMakerOptions = {
  roleArn: 'arn:aws:iam::123456789012:role/mlops-jobs',
  bucketName: 'mlops-artifacts',
  prefix: 'pipelines/tuned',
  kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  defaultImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/iris:1',
  codeUri: () => 's3://cdk-assets-123456789012-us-east-1/0f1e2d3c.zip',
  inferenceCodeUri: () => 's3://cdk-assets-123456789012-us-east-1/4b5a6978.tar.gz',
  trialCodeUri: () => 's3://cdk-assets-123456789012-us-east-1/77aa88bb.tar.gz',
};
const RUN_ID = 'manual__2025-01-01T00:00:00+00:00';
const RUN_DIR = `s3://mlops-artifacts/pipelines/tuned/runs/${RUN_ID}`;
const BEST_JOB = 'iris-tuned-hpo-5f2c-003-1a2b3c4d';
/** What SageMakerTuningOperator returns (its DescribeHyperParameterTuningJob), the part later tasks read. */
const TUNED = {
  Tuning: {
    TrainingJobDefinition: { OutputDataConfig: { S3OutputPath: `${RUN_DIR}/hpo/trials` } },
    BestTrainingJob: { TrainingJobName: BEST_JOB, FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'accuracy', Value: 0.97 } },
  },
};
const BEST_MODEL = `${RUN_DIR}/hpo/trials/${BEST_JOB}/output/model.tar.gz`;

function options(airflowVersion: AirflowVersion = '2.10', sagemaker: Partial<AirflowSageMakerOptions> = {}): AirflowOptions {
  return { executor: 'sagemaker', airflowVersion, cache: 'run-always', sagemaker: { ...SAGEMAKER, ...sagemaker } };
}

function problemsOf(pipeline: Pipeline, o: AirflowOptions): string[] {
  try {
    compileAirflow(pipeline, o);
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems.filter((p) => p.startsWith("step 'hpo'"));
  }
  throw new Error('expected the pipeline to be refused');
}

describe.each(['2.10', '3'] as AirflowVersion[])('the gated-deploy example on Airflow %s, executor sagemaker', (version) => {
  const dag = compileAirflow(gatedDeployPipeline(), options(version));

  test('the file compiles with py_compile', () => {
    expect(pyCompileProblems(dag.source)).toBe('');
  });

  test('ast: a SageMakerTuningOperator whose config is the Tuning step of the SageMaker compiler', () => {
    const ast = dagAst(dag.source);
    expect(ast.imports).toEqual(expect.arrayContaining(['airflow.providers.amazon.aws.operators.sagemaker.SageMakerTuningOperator']));
    expect(Object.fromEntries(Object.entries(ast.tasks).map(([id, t]) => [id, (t as Json).kind]))).toEqual({
      'extract': 'SageMakerProcessingOperator',
      'clean': 'SageMakerProcessingOperator',
      'hpo': 'SageMakerTuningOperator',
      'accuracy-gate': 'task.branch',
      'register': 'register_model_version',
      'too-inaccurate': 'task',
    });
    const hpo = ast.tasks.hpo.kwargs;
    expect(hpo).toMatchObject({ task_id: 'hpo', aws_conn_id: '${AWS_CONN_ID}', wait_for_completion: true });
    expect(hpo.config.HyperParameterTuningJobName).toBe("{{ sagemaker_job_name('iris-tuned-hpo', 'hpo', run_id) }}-{{ ti.try_number }}");
    expect(hpo.config.HyperParameterTuningJobConfig).toEqual({
      Strategy: 'Random',
      HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'accuracy' },
      ResourceLimits: { MaxNumberOfTrainingJobs: 8, MaxParallelTrainingJobs: 2 },
      ParameterRanges: {
        ContinuousParameterRanges: [{ Name: 'C', MinValue: '0.001', MaxValue: '100', ScalingType: 'Logarithmic' }],
        CategoricalParameterRanges: [{ Name: 'kernel', Values: ['rbf', 'linear'] }],
      },
      TrainingJobEarlyStoppingType: 'Off',
      RandomSeed: 7,
    });
    const job = hpo.config.TrainingJobDefinition;
    expect(job.StaticHyperParameters).toEqual({
      sagemaker_program: '_mlops_launcher.py',
      sagemaker_submit_directory: SAGEMAKER.trialCodeUri!(code),
      mlops_launcher_arguments: JSON.stringify(['--entry', 'train_svm.py', '--metric', 'accuracy', '--echo-metrics', '--tuned', 'C=number', '--tuned', 'kernel=string', '--parameters-file', '/opt/ml/output/data/parameters.json']),
    });
    expect(job.InputDataConfig.map((c: Json) => [c.ChannelName, c.DataSource.S3DataSource.S3Uri])).toEqual([['train', '${RUN_DIR}/clean/train/'], ['test', '${RUN_DIR}/clean/test/']]);
    expect(job.OutputDataConfig).toEqual({ S3OutputPath: '${RUN_DIR}/hpo/trials', KmsKeyId: SAGEMAKER.kmsKeyArn });
    expect(job.Environment).toMatchObject({ MLOPS_LAUNCHER_HYPERPARAMETERS: '/opt/ml/input/config/hyperparameters.json', MLOPS_RUN_ID: '{{ run_id }}', MLOPS_STEP: 'trial' });
    expect(dag.sageMakerUses).toMatchObject({ processingJobs: true, trainingJobs: true, tuningJobs: true });
  });

  test('exec: the branch reads the best objective metric from XCom, register gets the best model; requests valid per botocore', () => {
    const xcom = { extract: { Processing: {} }, clean: { Processing: {} }, hpo: TUNED };
    const run = execDag(dag.source, { run_id: RUN_ID, params: { minAccuracy: 0.9 }, xcom }).run;
    expect(run.states).toMatchObject({ 'accuracy-gate': 'success', 'register': 'success', 'too-inaccurate': 'skipped' });
    const create = run.calls.find((c: Json) => c.call === 'create_model_package');
    expect(create.request.InferenceSpecification.Containers[0].ModelDataUrl).toBe(BEST_MODEL);
    const config = run.rendered.hpo.config;
    expect(config.HyperParameterTuningJobName).toMatch(/^iris-tuned-hpo-[0-9a-f]{12}-1$/);
    expect(config.HyperParameterTuningJobName.length).toBeLessThanOrEqual(32);
    expect(config.TrainingJobDefinition.Environment.MLOPS_RUN_ID).toBe(RUN_ID);
    expect(sageMakerRequestProblems({ hpo: ['CreateHyperParameterTuningJobRequest', config], register: ['CreateModelPackageInput', create.request] })).toEqual([]);

    const low = execDag(dag.source, { run_id: RUN_ID, params: { minAccuracy: 0.99 }, xcom }).run;
    expect(low.states).toMatchObject({ 'accuracy-gate': 'success', 'register': 'skipped', 'too-inaccurate': 'failed' });
  });
});

test("a later task reads the best parameters as the best trial's output.tar.gz, unpacked by its launcher", () => {
  const dag = compileAirflow(FEATURES.find((f) => f.id === 'tuning')!.build(), options());
  const report = dagAst(dag.source).tasks.report.kwargs.config;
  expect(report.ProcessingInputs.map((i: Json) => [i.InputName, i.S3Input.S3Uri])).toEqual([
    ['mlops-code', 's3://cdk-assets-123456789012-us-east-1/0f1e2d3c.zip'],
    ['model', "{{ ti.xcom_pull(task_ids='hpo')['Tuning']['TrainingJobDefinition']['OutputDataConfig']['S3OutputPath'] }}/{{ ti.xcom_pull(task_ids='hpo')['Tuning']['BestTrainingJob']['TrainingJobName'] }}/output/model.tar.gz"],
    ['parameters', "{{ ti.xcom_pull(task_ids='hpo')['Tuning']['TrainingJobDefinition']['OutputDataConfig']['S3OutputPath'] }}/{{ ti.xcom_pull(task_ids='hpo')['Tuning']['BestTrainingJob']['TrainingJobName'] }}/output/output.tar.gz"],
  ]);
  expect(report.AppSpecification.ContainerArguments).toEqual(['--entry', 'noop.py', '--unpack', 'model', '--unpack', 'parameters']);
  expect(pyCompileProblems(dag.source)).toBe('');
});

describe('what the sagemaker executor refuses', () => {
  const tune = (props: object = {}) => {
    const p = new Pipeline('tuned');
    p.addStep(Step.tune('hpo', {
      trial: Step.training('trial', { code, entry: 'noop.py', metrics: ['accuracy'] }),
      objective: Objective.maximize('accuracy'),
      space: { C: Range.logUniform(0.001, 100) },
      maxTrials: 4,
      ...props,
    }));
    return p;
  };

  test('maxFailedTrials, as on SageMaker Pipelines', () => {
    expect(problemsOf(tune({ maxFailedTrials: 1 }), options())).toEqual([
      "step 'hpo': maxFailedTrials 1 has no SageMaker equivalent (a SageMaker tuning job always runs up to MaxNumberOfTrainingJobs, failed trials included); remove maxFailedTrials, or run the pipeline on Katib or locally",
    ]);
  });

  test('more than 30 categories', () => {
    expect(problemsOf(tune({ space: { k: Range.categorical(Array.from({ length: 31 }, (_, i) => `v${i}`)) } }), options())).toEqual([
      "step 'hpo': space 'k': SageMaker takes at most 30 values per categorical range (CategoricalParameterRange.Values), but it has 31; try fewer values",
    ]);
  });

  test('no place for the trial tarball', () => {
    expect(problemsOf(tune(), options('2.10', { trialCodeUri: undefined }))).toEqual([
      "step 'hpo': is a tuning step, but the sagemaker options give no place for the trial's code tarball (sagemaker.trialCodeUri, the S3 URI of packageTrialTarball(code)); give sagemaker.trialCodeUri",
    ]);
  });
});

test.each([
  ['python', { executor: 'python' }],
  ['kubernetes', { executor: 'kubernetes', kubernetes: { namespace: 'airflow', defaultImage: 'python:3.11' } }],
])('the %s executor has no search to run the trials with', (executor, o) => {
  expect(problemsOf(FEATURES.find((f) => f.id === 'tuning')!.build(), o as AirflowOptions)).toEqual([
    `step 'hpo': is a tuning step (hyperparameter tuning), but Airflow's '${executor}' executor has no hyperparameter search to run the trials with; compile with executor 'sagemaker' (a SageMaker tuning job), or run the pipeline on SageMaker Pipelines, Kubeflow or Argo (Katib), or locally (mlops run --local)`,
  ]);
});
