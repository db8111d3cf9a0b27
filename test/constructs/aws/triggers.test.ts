/**
 * Starting a pipeline from other constructs: addTrigger (an EventBridge rule or an EventBridge
 * Scheduler schedule with parameter values, through a role that may only start this pipeline),
 * grantStart, pipelines imported by name or ARN, and aws-cdk-lib's own SageMaker targets.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { MlPipeline, Orchestrator } from '../../../constructs/aws';
import { Parameter, Pipeline, PipelineValidationError, Schedule, Step } from '../../../lib/pipeline';
import { FIXTURE_CODE } from '../../conformance/features';
import { cfnLint, templateOf, testApp } from '../../support/aws';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/retrain';

function model(): Pipeline {
  const p = new Pipeline('retrain', { parameters: { minAccuracy: Parameter.number(0.9), full: Parameter.boolean(false), dataset: Parameter.string('daily') } });
  p.addStep(Step.script('work', { code: FIXTURE_CODE, entry: 'noop.py' }));
  return p;
}

function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

function synthError(stack: Stack): string {
  try {
    Template.fromStack(stack);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

const DRIFT: events.EventPattern = {
  source: ['aws.cloudwatch'],
  detailType: ['CloudWatch Alarm State Change'],
  detail: { alarmName: ['iris-drift'], state: { value: ['ALARM'] } },
};

describe('addTrigger from an EventBridge rule', () => {
  const stack = new Stack(testApp(), 'Triggers', { env: ENV });
  const pipeline = new MlPipeline(stack, 'P', { pipeline: model(), orchestrator: Orchestrator.sageMaker() });
  const trigger = pipeline.addTrigger('Drift', { eventPattern: DRIFT, parameters: { minAccuracy: '0.95', full: 'TRUE' } });
  const bus = new events.EventBus(stack, 'Features');
  pipeline.addTrigger('NewSnapshot', { eventPattern: { source: ['mlops.features'] }, eventBus: bus });
  const template = templateOf(stack);
  const [ruleId, rule] = resourcesOf(template, 'AWS::Events::Rule').find(([id]) => id.startsWith('PDrift'))!;

  test('the rule matches the pattern (in CloudFormation key names) and starts this pipeline with the parameter values as text', () => {
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'detail': { alarmName: ['iris-drift'], state: { value: ['ALARM'] } },
    });
    expect(rule.Properties.State).toBe('ENABLED');
    const [roleId] = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('PDriftRole'))!;
    expect(rule.Properties.Targets).toEqual([{
      Id: 'Pipeline',
      Arn: ARN,
      RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'minAccuracy', Value: '0.95' }, { Name: 'full', Value: 'true' }] },
    }]);
    expect(stack.resolve(trigger.triggerArn)).toEqual({ 'Fn::GetAtt': [ruleId, 'Arn'] });
  });

  test('the role is assumed by EventBridge for this account\'s rules only and may only start this pipeline', () => {
    const [, role] = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('PDriftRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/*' } },
    }]);
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'StartPipeline',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sagemaker:StartPipelineExecution', Resource: ARN }],
      },
    }]);
  });

  test('a rule on another bus, without parameters, passes none; rules wait for the pipeline', () => {
    const [, other] = resourcesOf(template, 'AWS::Events::Rule').find(([id]) => id.startsWith('PNewSnapshot'))!;
    expect(other.Properties.EventBusName).toEqual({ Ref: expect.stringMatching(/^Features/) });
    expect(other.Properties.Targets[0].SageMakerPipelineParameters).toBeUndefined();
    const [pipelineId] = resourcesOf(template, 'AWS::SageMaker::Pipeline')[0];
    expect(rule.DependsOn).toContain(pipelineId);
  });

  test('cfn-lint finds nothing in the template', () => {
    expect(cfnLint({ Triggers: template }, 'Warning')).toEqual([]);
  });
});

describe('trigger parameters are checked at synth time, against the pipeline as it is then', () => {
  const build = (parameters: { [name: string]: string }, edit?: (p: Pipeline) => void) => {
    const stack = new Stack(testApp(), 'Bad', { env: ENV });
    const p = model();
    new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() }).addTrigger('Drift', { eventPattern: DRIFT, parameters });
    edit?.(p);
    return stack;
  };

  test('an unknown name', () => {
    expect(synthError(build({ minAcc: '0.95' }))).toBe(
      "Validation failed with the following errors:\n  [Bad/P/Drift] MlPipeline 'Bad/P': trigger 'Drift' parameters: unknown parameter 'minAcc' (defined: 'minAccuracy', 'full', 'dataset')",
    );
  });

  test('a value of the wrong type', () => {
    expect(synthError(build({ full: 'maybe' }))).toMatch(
      /^Validation failed with the following errors:\n {2}\[Bad\/P\/Drift\] MlPipeline 'Bad\/P': trigger 'Drift' parameters: parameter 'full': 'maybe' is not a boolean/,
    );
  });

  test('a parameter name EventBridge rules cannot pass (no underscores), and a value over 1024 characters', () => {
    const message = synthError(build({ min_loss: '0.1', dataset: 'x'.repeat(1025) }, (p) => p.addParameter('min_loss', Parameter.number(0.2))));
    expect(message).toContain("trigger 'Drift' parameters: parameter 'min_loss' cannot be passed by EventBridge (names: letters and digits, with '-' between them); rename the parameter or start the pipeline another way");
    expect(message).toContain("trigger 'Drift' parameters: parameter 'dataset' has 1025 characters, but EventBridge passes at most 1024; shorten it");
  });

  test('a parameter the pipeline gets after the trigger was added is accepted', () => {
    expect(() => Template.fromStack(build({ epochs: '5' }, (p) => p.addParameter('epochs', Parameter.integer(3))))).not.toThrow();
  });

  test('a trigger needs exactly one of eventPattern and schedule (thrown when it is added)', () => {
    const pipeline = new MlPipeline(new Stack(testApp(), 'Both'), 'P', { pipeline: model(), orchestrator: Orchestrator.sageMaker() });
    expect(() => pipeline.addTrigger('X', { eventPattern: DRIFT, schedule: Schedule.daily() })).toThrow(
      "MlPipeline 'Both/P': trigger 'X': give eventPattern (an EventBridge rule) or schedule (an EventBridge Scheduler schedule), not both",
    );
    expect(() => pipeline.addTrigger('Y', {})).toThrow(PipelineValidationError);
  });
});

describe('addTrigger with a schedule', () => {
  test('is the same mechanism as the schedule prop: EventBridge Scheduler, the trigger\'s values over the schedule\'s', () => {
    const stack = new Stack(testApp(), 'Scheduled', { env: ENV });
    const pipeline = new MlPipeline(stack, 'P', { pipeline: model(), orchestrator: Orchestrator.sageMaker() });
    pipeline.addTrigger('Weekly', { schedule: Schedule.cron('0 6 * * 1', { parameters: { full: 'true', dataset: 'weekly' } }), parameters: { dataset: 'all' } });
    const t = templateOf(stack);
    const [, schedule] = resourcesOf(t, 'AWS::Scheduler::Schedule')[0];
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      Target: { Arn: ARN, SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'full', Value: 'true' }, { Name: 'dataset', Value: 'all' }] } },
    });
    const [, role] = resourcesOf(t, 'AWS::IAM::Role').find(([id]) => id.startsWith('PWeeklyRole'))!;
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default' } },
    });
  });
});

describe('imported pipelines', () => {
  test('fromPipelineName: grantStart covers the name as written and in lower case; triggers pass parameters unchecked', () => {
    const stack = new Stack(testApp(), 'Imported', { env: ENV });
    const imported = MlPipeline.fromPipelineName(stack, 'Churn', 'Churn-Training');
    expect(imported.pipelineArn).toBe('arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-training');
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantStart(caller);
    imported.addTrigger('Drift', { eventPattern: DRIFT, parameters: { anything: 'goes' } });
    const t = templateOf(stack);
    const [, policy] = resourcesOf(t, 'AWS::IAM::Policy').find(([id]) => id.startsWith('CallerDefaultPolicy'))!;
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect({ ...statement, Resource: [...statement.Resource].sort() }).toEqual({
      Action: 'sagemaker:StartPipelineExecution',
      Effect: 'Allow',
      Resource: ['arn:aws:sagemaker:eu-west-1:123456789012:pipeline/Churn-Training', 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-training'],
    });
    const [, rule] = resourcesOf(t, 'AWS::Events::Rule')[0];
    expect(rule.Properties.Targets[0]).toMatchObject({
      Arn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-training',
      SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'anything', Value: 'goes' }] },
    });
    expect(resourcesOf(t, 'AWS::SageMaker::Pipeline')).toEqual([]);
  });

  test('fromPipelineArn: the name is read from the ARN; the account and region are the ARN\'s', () => {
    const stack = new Stack(testApp(), 'ByArn', { env: ENV });
    const imported = MlPipeline.fromPipelineArn(stack, 'Other', 'arn:aws:sagemaker:us-east-1:210987654321:pipeline/shared-training');
    expect(imported.pipelineName).toBe('shared-training');
    expect(imported.env).toEqual({ account: '210987654321', region: 'us-east-1' });
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    imported.grantStart(caller);
    const [, policy] = resourcesOf(templateOf(stack), 'AWS::IAM::Policy')[0];
    expect(policy.Properties.PolicyDocument.Statement[0].Resource).toBe('arn:aws:sagemaker:us-east-1:210987654321:pipeline/shared-training');
  });

  test('an imported trigger still refuses what EventBridge Scheduler cannot pass (an empty value)', () => {
    const stack = new Stack(testApp(), 'Empty', { env: ENV });
    MlPipeline.fromPipelineName(stack, 'Churn', 'churn').addTrigger('Nightly', { schedule: Schedule.daily(), parameters: { tag: '' } });
    expect(synthError(stack)).toContain(
      "[Empty/Churn/Nightly] MlPipeline 'Empty/Churn' (imported): trigger 'Nightly' parameters: parameter 'tag' is set to an empty string, which EventBridge Scheduler cannot pass",
    );
  });
});

test('MlPipeline is an aws-sagemaker IPipeline: aws-scheduler-targets\' SageMakerStartPipelineExecution takes it', () => {
  const stack = new Stack(testApp(), 'Interop', { env: ENV });
  const pipeline = new MlPipeline(stack, 'P', { pipeline: model(), orchestrator: Orchestrator.sageMaker() });
  new scheduler.Schedule(stack, 'Hourly', {
    schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
    target: new schedulerTargets.SageMakerStartPipelineExecution(pipeline, { pipelineParameterList: [{ name: 'full', value: 'true' }] }),
  });
  const t = templateOf(stack);
  const schedules = resourcesOf(t, 'AWS::Scheduler::Schedule');
  expect(schedules).toHaveLength(1);
  expect(schedules[0][1].Properties.Target.Arn).toBe(ARN);
  const statements = resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  expect(statements).toContainEqual({ Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow', Resource: ARN });
});
