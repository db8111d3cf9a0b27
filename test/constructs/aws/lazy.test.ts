/**
 * aws.MlPipeline renders at synth time: a pipeline edited after the construct was created is what
 * gets deployed (definition, execution policy, code assets, model package groups), problems are
 * CDK validation errors with the construct path, and the steps' external S3 data is readable.
 */
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MlPipeline, Orchestrator } from '../../../constructs/aws';
import { Code, DataSource, Parameter, Pipeline, Schedule, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE } from '../../conformance/features';
import { sageMakerDefinitions, templateOf, testApp } from '../../support/aws';

const OTHER_CODE = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'local', 'steps'));

function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

function statementsOf(template: any): { [sid: string]: any } {
  const [, policy] = resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.includes('ExecutionPolicy'))!;
  return Object.fromEntries(policy.Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
}

describe('a pipeline edited after the construct was created', () => {
  const build = () => {
    const stack = new Stack(testApp(), 'Late');
    const p = new Pipeline('late');
    const extract = Step.script('extract', { code: FIXTURE_CODE, entry: 'noop.py', outputs: ['raw'] });
    p.addStep(extract);
    // A schedule may name a parameter the pipeline only gets later: it is checked at synth.
    const pipeline = new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker(), schedule: Schedule.daily({ parameters: { epochs: '5' } }) });
    const before = pipeline.definition.Steps.map((s: any) => s.Name);
    p.addParameter('epochs', Parameter.integer(3));
    const fit = Step.training('fit', { code: OTHER_CODE, entry: 'contract.py', inputs: { data: extract.output('raw') } });
    p.addStep(fit, Step.registerModel('register', { model: fit.model(), group: 'late-models' }));
    return { before, pipeline, template: templateOf(stack) };
  };
  const { before, pipeline, template } = build();

  test('the definition has the steps and parameters added later', () => {
    expect(before).toEqual(['extract']);
    const definition = Object.values(sageMakerDefinitions(template))[0];
    expect(definition.Steps.map((s: any) => s.Name)).toEqual(['extract', 'fit', 'register']);
    expect(definition.Parameters).toEqual([{ Name: 'epochs', Type: 'Integer', DefaultValue: 3 }]);
    expect(pipeline.definition.Steps.map((s: any) => s.Name)).toEqual(['extract', 'fit', 'register']);
  });

  test('the execution policy covers the training job and the model group added later', () => {
    const s = statementsOf(template);
    expect(JSON.stringify(s.RunTrainingJobs.Resource)).toContain(':training-job/*');
    expect(s.PublishTrainingMetrics).toBeDefined();
    expect(JSON.stringify(s.RegisterModels.Resource)).toContain(':model-package-group/late-models');
    expect(JSON.stringify(s.WriteJobLogs.Resource)).toContain('/aws/sagemaker/TrainingJobs:*');
  });

  test('the later step\'s code is a second asset, readable by the role, and its model package group is created', () => {
    const definition = Object.values(sageMakerDefinitions(template))[0];
    const archives = definition.Steps.filter((s: any) => s.Type !== 'RegisterModel')
      .map((s: any) => JSON.stringify((s.Arguments.AlgorithmSpecification ?? s.Arguments.AppSpecification).ContainerEntrypoint).match(/[0-9a-f]{64}\.zip/)![0]);
    expect(new Set(archives).size).toBe(2);
    const read = JSON.stringify(statementsOf(template).ReadStepCode.Resource);
    archives.forEach((archive: string) => expect(read).toContain(archive));
    const groups = resourcesOf(template, 'AWS::SageMaker::ModelPackageGroup').map(([, g]) => g.Properties.ModelPackageGroupName);
    expect(groups).toEqual(['late-models']);
    const [groupId] = resourcesOf(template, 'AWS::SageMaker::ModelPackageGroup')[0];
    expect(resourcesOf(template, 'AWS::SageMaker::Pipeline')[0][1].DependsOn).toContain(groupId);
  });

  test('the schedule passes the parameter the pipeline got after the schedule was set', () => {
    const [, schedule] = resourcesOf(template, 'AWS::Scheduler::Schedule')[0];
    expect(schedule.Properties.Target.SageMakerPipelineParameters).toEqual({ PipelineParameterList: [{ Name: 'epochs', Value: '5' }] });
  });
});

describe('validation at synth time', () => {
  test('a pipeline that is invalid when the construct is created, and fixed before synth, synthesizes', () => {
    const stack = new Stack(testApp(), 'Fixed');
    const p = new Pipeline('empty-at-first');
    new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
    p.addStep(Step.script('work', { code: FIXTURE_CODE, entry: 'noop.py' }));
    expect(Object.values(sageMakerDefinitions(templateOf(stack)))[0].Steps.map((s: any) => s.Name)).toEqual(['work']);
  });

  test('an invalid pipeline is a CDK validation error naming the construct path, and nothing of it is rendered', () => {
    const stack = new Stack(testApp(), 'Invalid');
    const p = new Pipeline('never-fixed');
    const pipeline = new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
    expect(() => Template.fromStack(stack)).toThrow(
      "Validation failed with the following errors:\n  [Invalid/P] MlPipeline 'Invalid/P': pipeline 'never-fixed': has no steps; add some with pipeline.addStep(...)",
    );
    expect(pipeline.node.tryFindChild('ExecutionPolicy')).toBeUndefined();
    expect(pipeline.node.findAll().some((c) => c.node.id.startsWith('ModelPackageGroup'))).toBe(false);
  });
});

describe('external data', () => {
  test('the role may read the S3 prefixes the steps read: GetObject on each prefix, ListBucket per bucket conditioned on its prefixes', () => {
    const p = new Pipeline('external');
    p.addStep(Step.script('read', {
      code: FIXTURE_CODE,
      entry: 'noop.py',
      inputs: {
        raw: DataSource.fromUri('s3://raw-data/iris/2024/'),
        labels: DataSource.fromUri('s3://raw-data/labels.csv'),
        extra: DataSource.fromUri('s3://partner-bucket/'),
      },
    }));
    const stack = new Stack(testApp(), 'External', { env: { account: '123456789012', region: 'eu-west-1' } });
    new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
    const s = statementsOf(templateOf(stack));
    expect(s.ReadExternalData).toEqual({
      Sid: 'ReadExternalData', Effect: 'Allow', Action: 's3:GetObject',
      Resource: ['arn:aws:s3:::partner-bucket/*', 'arn:aws:s3:::raw-data/iris/2024/*', 'arn:aws:s3:::raw-data/labels.csv*'],
    });
    expect(s.ListExternalData1).toEqual({ Sid: 'ListExternalData1', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::partner-bucket' });
    expect(s.ListExternalData2).toEqual({
      Sid: 'ListExternalData2', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::raw-data',
      Condition: { StringLike: { 's3:prefix': ['iris/2024/*', 'labels.csv*'] } },
    });
    // Nothing else widened: the pipeline's own prefix is still the only place it writes.
    expect(JSON.stringify(s.ReadWritePipelinePrefix.Resource)).toContain('/pipelines/external/*');
  });

  test('a pipeline without external data gets no external-data statements', () => {
    const p = new Pipeline('internal');
    p.addStep(Step.script('work', { code: FIXTURE_CODE, entry: 'noop.py' }));
    const stack = new Stack(testApp(), 'Internal');
    new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
    expect(Object.keys(statementsOf(templateOf(stack))).filter((sid) => sid.includes('External'))).toEqual([]);
  });
});
