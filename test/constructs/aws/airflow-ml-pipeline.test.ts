/**
 * aws.MlPipeline on Orchestrator.airflow(environment): the DAG file (and what it needs) in the
 * environment's bucket, the grants of the job role and the environment's role, no SageMaker
 * pipeline, and a synth error for everything that only the other orchestrator has.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AirflowDagExecutor, AirflowEnvironment, AirflowEnvironmentClass, AirflowVersion, DefinitionStorage, MlPipeline, MlPipelineProps, Orchestrator, PipelineTrigger,
} from '../../../constructs/aws';
import { ModelApproval, Pipeline, PipelineValidationError, Schedule, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE as code } from '../../conformance/features';
import { dagAst } from '../../support/airflow';
import { cfnLint, nagFindings, templateOf, testApp } from '../../support/aws';
import { capturingConsole } from '../../support/console';

const START = new Date('2026-11-01T00:00:00Z');

function trainAndRegister(name = 'churn'): Pipeline {
  const p = new Pipeline(name);
  const prep = Step.script('prep', { code, entry: 'noop.py', outputs: ['data'] });
  const train = Step.training('train', { code, entry: 'noop.py', inputs: { data: prep.output('data') } });
  p.addStep(prep, train, Step.registerModel('register', { model: train.model(), group: `${name}-models`, approval: ModelApproval.APPROVED }));
  return p;
}

function setUp(app = testApp(), micro = false): { stack: Stack; env: AirflowEnvironment } {
  const stack = new Stack(app, 'Ml');
  const env = new AirflowEnvironment(stack, 'Airflow', {
    airflowVersion: AirflowVersion.V2_10_3,
    ...(micro ? { environmentClass: AirflowEnvironmentClass.MICRO } : {}),
  });
  return { stack, env };
}

function thrown(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(PipelineValidationError);
    return (e as Error).message;
  }
  throw new Error('nothing was thrown');
}

/** The statements of the environment's execution role policy, actions joined, without the MWAA guide's own (they have Sids). */
function environmentGrants(template: any): { actions: string; resource: string }[] {
  const policy = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('AirflowExecutionRoleDefaultPolicy'))![1];
  return policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Sid === undefined).map((s: any) => ({
    actions: [s.Action].flat().join(','),
    resource: JSON.stringify(s.Resource),
  }));
}

test('the sagemaker executor (default): the DAG file in dags/, the job and environment grants, no SageMaker pipeline, alerts or EventBridge schedule', () => {
  const { stack, env } = setUp();
  const pipeline = new MlPipeline(stack, 'Churn', {
    pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(env), schedule: Schedule.daily(), startDate: START, catchup: true, maxActiveRuns: 2,
  });
  const template = templateOf(stack);
  const types = Object.values<any>(template.Resources).map((r) => r.Type);
  for (const type of ['AWS::SageMaker::Pipeline', 'AWS::Events::Rule', 'AWS::Scheduler::Schedule', 'AWS::SNS::Topic', 'AWS::SageMaker::ModelPackageGroup']) {
    expect(types).not.toContain(type);
  }
  expect(pipeline.cfnPipeline).toBeUndefined();
  expect(pipeline.scheduleTrigger).toBeUndefined();
  expect(pipeline.pipelineArn).toBe(env.environmentArn);
  const dag = pipeline.definition;
  expect(dag).toMatchObject({ dagId: 'churn', fileName: 'churn.py', codeFolders: [] });
  expect(pipeline.definitionSize).toBe(Buffer.byteLength(dag.source));
  const kwargs = dagAst(dag.source).dag;
  expect(kwargs).toMatchObject({ catchup: true, max_active_runs: 2 });
  const deployment = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::CDKBucketDeployment');
  expect(deployment.Properties).toMatchObject({ DestinationBucketKeyPrefix: 'dags/', Prune: false, SourceObjectKeys: [expect.stringMatching(/\.zip$/)] });
  // Never deletes what it wrote: other pipelines' DAGs share the prefix.
  expect(deployment.Properties.RetainOnDelete).toBe(true);
  // The environment's role: the DAG's own jobs only, as the job role; its model group; the run data.
  const grants = environmentGrants(template);
  expect(grants.map((g) => g.actions)).toEqual([
    'sagemaker:AddTags,sagemaker:CreateProcessingJob,sagemaker:CreateTrainingJob,sagemaker:DescribeProcessingJob,sagemaker:DescribeTrainingJob,sagemaker:StopProcessingJob,sagemaker:StopTrainingJob',
    'sagemaker:ListProcessingJobs,sagemaker:ListTrainingJobs',
    'logs:DescribeLogStreams,logs:GetLogEvents',
    'iam:PassRole',
    'sagemaker:CreateModelPackage,sagemaker:CreateModelPackageGroup,sagemaker:DescribeModelPackage,sagemaker:DescribeModelPackageGroup',
    's3:GetBucket*,s3:GetObject*,s3:List*',
    'kms:Decrypt,kms:DescribeKey',
  ]);
  expect(grants[0].resource).toContain(':processing-job/churn-*');
  expect(grants[0].resource).toContain(':training-job/churn-*');
  expect(grants[4].resource).toContain(':model-package-group/churn-models');
  expect(grants[5].resource).toContain('/pipelines/churn/runs/*');
  // The job role: the jobs' data, code, key, image and logs; nothing that starts jobs or registers models.
  const jobPolicy = Object.entries<any>(template.Resources).find(([id]) => id.startsWith('ChurnExecutionPolicy'))![1];
  expect(jobPolicy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual([
    'ReadWritePipelinePrefix', 'ListPipelinePrefix', 'LocateBucket', 'ReadStepCode', 'ListStepCode', 'UsePipelineKey', 'EncryptJobVolumes',
    'PullImagesAuth', 'PullImages', 'WriteJobLogs', 'PublishTrainingMetrics',
  ]);
});

test('the python executor: the DAG folder (launcher, step code, .airflowignore) next to the DAG file, a warning about several workers', () => {
  const { stack, env } = setUp();
  const p = new Pipeline('nightly');
  p.addStep(Step.script('work', { code, entry: 'noop.py' }));
  const pipeline = new MlPipeline(stack, 'Nightly', { pipeline: p, orchestrator: Orchestrator.airflow(env, { executor: AirflowDagExecutor.PYTHON }) });
  const { result: warnings } = capturingConsole(() => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('python executor')).map((w) => String(w.entry.data)));
  expect(warnings).toEqual([expect.stringContaining("the python executor keeps run data on the worker's disk (/tmp/mlops-data), but AirflowEnvironment 'Ml/Airflow' may run 10 workers")]);
  const template = templateOf(stack);
  const deployment = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::CDKBucketDeployment');
  expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
  const dag = pipeline.definition;
  expect(dag.source).toContain('DATA_ROOT = "/tmp/mlops-data"');
  expect(dag.launcherPath).toBe('nightly/_mlops_launcher.py');
  // The staged folder the second source zips: what the DAG file expects next to it.
  const staged = fs.readdirSync(path.join(require('os').tmpdir(), 'cdk-mlops-dags')).map((d) => path.join(require('os').tmpdir(), 'cdk-mlops-dags', d))
    .find((d) => fs.existsSync(path.join(d, 'nightly', '.airflowignore')))!;
  expect(fs.readdirSync(path.join(staged, 'nightly')).sort()).toEqual(['.airflowignore', '_mlops_launcher.py', 'code-1']);
  expect(fs.existsSync(path.join(staged, 'nightly', 'code-1', 'noop.py'))).toBe(true);
  // Steps run on the worker: the environment's role gets no SageMaker grants.
  expect(environmentGrants(template)).toEqual([]);
});

test('two pipelines with the same DAG id in one environment: the second names both construct paths', () => {
  const { stack, env } = setUp();
  new MlPipeline(stack, 'First', { pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(env) });
  expect(thrown(() => new MlPipeline(stack, 'Second', { pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(env) }))).toBe(
    "MlPipeline 'Ml/Second': DAG id 'churn' is already that of MlPipeline 'Ml/First' in AirflowEnvironment 'Ml/Airflow' (both would be dags/churn.py); " +
    'give one of them another pipelineName or Orchestrator.airflow(environment, { dagId })',
  );
  // Another DAG id is fine, and so is the same one in another environment.
  new MlPipeline(stack, 'Third', { pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(env, { dagId: 'churn-2' }) });
  const other = new AirflowEnvironment(stack, 'Other', { airflowVersion: AirflowVersion.V2_10_3, vpc: env.vpc });
  new MlPipeline(stack, 'Fourth', { pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(other) });
});

test('props of the other orchestrator are synth errors, each naming the prop, the engine and the fix', () => {
  const { stack, env } = setUp();
  const props = (extra: Partial<MlPipelineProps>, orchestrator: Orchestrator): MlPipelineProps => ({ pipeline: trainAndRegister(), orchestrator, ...extra });
  expect(thrown(() => new MlPipeline(stack, 'A', props({ definitionStorage: DefinitionStorage.S3, alarmEmails: ['a@example.com'] }, Orchestrator.airflow(env))))).toBe(
    "MlPipeline 'Ml/A':\n" +
    "  - definitionStorage 's3' is given, but Orchestrator.airflow() does not take it: it sets where the SageMaker pipeline definition is kept, which only Orchestrator.sageMaker() has; remove it (see docs/airflow.md for what Airflow does instead), or use Orchestrator.sageMaker()\n" +
    '  - alarmEmails ["a@example.com"] is given, but Orchestrator.airflow() does not take it: it sets the subscribers of the topic of SageMaker\'s failed-execution events, which only Orchestrator.sageMaker() has; remove it (see docs/airflow.md for what Airflow does instead), or use Orchestrator.sageMaker()',
  );
  expect(thrown(() => new MlPipeline(stack, 'B', props({ catchup: true, startDate: START }, Orchestrator.sageMaker())))).toContain(
    "  - catchup true is given, but Orchestrator.sageMaker() does not take it: it sets Airflow's catchup of missed data intervals, which only Orchestrator.airflow(environment) has; " +
    'remove it (a SageMaker schedule starts one execution per tick, with no data interval), or use Orchestrator.airflow(environment)',
  );
  expect(thrown(() => new MlPipeline(stack, 'C', props({}, Orchestrator.airflow(env, { executor: AirflowDagExecutor.PYTHON, defaultImage: 'python:3.12' }))))).toBe(
    "MlPipeline 'Ml/C': Orchestrator.airflow defaultImage applies to the SageMaker executor, but executor is AirflowDagExecutor.PYTHON (steps run on the Airflow worker); remove defaultImage",
  );
});

test('grantStart, addTrigger, a PipelineTrigger, the metrics and the alarm topic of an Airflow pipeline are synth errors saying how to start it', () => {
  const { stack, env } = setUp();
  const pipeline = new MlPipeline(stack, 'Churn', { pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(env) });
  const why = "runs as Airflow DAG 'churn' on Amazon MWAA, which has no StartPipelineExecution: grantStart, addTrigger and the SageMaker execution metrics do not apply; " +
    'start runs with the schedule prop, in the Airflow UI, with `airflow dags trigger` (MWAA CreateCliToken) or through the Airflow REST API (MWAA InvokeRestApi), ' +
    "and watch them with the environment's metrics";
  const role = new iam.Role(stack, 'Ci', { assumedBy: new iam.AccountRootPrincipal() });
  expect(thrown(() => pipeline.grantStart(role))).toBe(`MlPipeline 'Ml/Churn': grantStart: this pipeline ${why}`);
  expect(thrown(() => pipeline.addTrigger('Nightly', { schedule: Schedule.daily() }))).toBe(`MlPipeline 'Ml/Churn': addTrigger('Nightly'): this pipeline ${why}`);
  expect(thrown(() => new PipelineTrigger(stack, 'T', { pipeline, schedule: Schedule.daily() }))).toBe(`MlPipeline 'Ml/Churn': trigger 'T': this pipeline ${why}`);
  expect(thrown(() => pipeline.metricExecutionsFailed())).toBe(`MlPipeline 'Ml/Churn': metric('ExecutionFailed'): this pipeline ${why}`);
  expect(thrown(() => pipeline.alarmTopic)).toBe(`MlPipeline 'Ml/Churn': has no alarm topic: it ${why}; alert on failures with the DAG's own callbacks or the environment's metrics (AirflowEnvironment.metric...)`);
});

test('compiler problems come with the construct path and the engine: a cached step, a schedule without a start date', () => {
  const { stack, env } = setUp();
  const { CachePolicy } = require('../../../lib/pipeline');
  const p = new Pipeline('cached', { defaultCache: CachePolicy.enabled() });
  p.addStep(Step.script('work', { code, entry: 'noop.py' }));
  new MlPipeline(stack, 'Cached', { pipeline: p, orchestrator: Orchestrator.airflow(env), schedule: Schedule.daily() });
  let message = '';
  try {
    Template.fromStack(stack);
  } catch (e) {
    message = (e as Error).message;
  }
  message = message.replace(/^Validation failed with the following errors:\n {2}/, '');
  expect(message).toBe("[Ml/Cached] MlPipeline 'Ml/Cached': pipeline 'cached' on Airflow:\n" +
    "  - step 'work': has a cache policy, but Airflow has no step cache and would run it every time; turn caching off for the step (cache: CachePolicy.disabled()), " +
    'or set Orchestrator.airflow(environment, { runCachedStepsAlways: true }) to run cached steps every time on Airflow\n' +
    "  - schedule cron(0 0 * * *) needs a startDate: Airflow schedules data intervals from it; set startDate, e.g. new Date('2025-01-01T00:00:00Z')");
});

test('an environment with a python-executor DAG and a sagemaker-executor DAG: cfn-lint and cdk-nag (four packs) find nothing', () => {
  const app = testApp({ nag: true });
  const { stack, env } = setUp(app, true);
  const p = new Pipeline('nightly');
  p.addStep(Step.script('work', { code, entry: 'noop.py' }));
  new MlPipeline(stack, 'Nightly', { pipeline: p, orchestrator: Orchestrator.airflow(env, { executor: AirflowDagExecutor.PYTHON }) });
  new MlPipeline(stack, 'Churn', { pipeline: trainAndRegister(), orchestrator: Orchestrator.airflow(env), schedule: Schedule.daily(), startDate: START });
  expect(nagFindings(app)).toEqual([]);
  expect(cfnLint({ Ml: templateOf(stack) })).toEqual([]);
});
