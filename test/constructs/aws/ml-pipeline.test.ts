import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DefinitionStorage, MlPipeline, Orchestrator } from '../../../constructs/aws';
import { IrisSageMakerStack } from '../../../examples/iris/aws';
import { Parameter, Pipeline, Schedule, Step } from '../../../lib/pipeline';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { sageMakerDefinitions, templateOf, testApp } from '../../support/aws';
import { chainPipeline } from '../../support/aws/pipelines';
import { capturingConsole } from '../../support/console';

function resourcesOf(template: any, type: string): [string, any][] {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

function only(template: any, type: string): any {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0][1];
}

/** The execution policy: the AWS::IAM::Policy that passes the role to jobs. */
function executionPolicy(template: any): any {
  return resourcesOf(template, 'AWS::IAM::Policy').find(([, p]) => p.Properties.PolicyDocument.Statement.some((s: any) => s.Sid === 'PassThisRoleToJobs'))![1];
}

/** Statements of the execution policy, by Sid. */
function executionStatements(template: any): { [sid: string]: any } {
  return Object.fromEntries(executionPolicy(template).Properties.PolicyDocument.Statement.map((s: any) => [s.Sid, s]));
}

function stackWith(build: (stack: Stack) => void, env?: { account: string; region: string }): Stack {
  const stack = new Stack(testApp(), 'Test', { env });
  build(stack);
  return stack;
}

const feature = (id: string) => FEATURES.find((f) => f.id === id)!.build();

describe('the Iris example stack', () => {
  const stack = new IrisSageMakerStack(testApp(), 'IrisSageMaker', { alarmEmails: ['ml-team@example.com'] });
  const template = templateOf(stack);

  test('matches the snapshot', () => {
    expect(template).toMatchSnapshot();
  });

  test('creates the pipeline with the inline definition of every step, run by the execution role', () => {
    const pipeline = only(template, 'AWS::SageMaker::Pipeline');
    expect(pipeline.Properties.PipelineName).toBe('iris');
    expect(pipeline.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^IrisExecutionRole/), 'Arn'] });
    const definition = Object.values(sageMakerDefinitions(template))[0];
    expect(definition.Steps.map((s: any) => s.Name)).toEqual(['extract', 'clean', 'train', 'evaluate', 'accuracy-gate']);
    expect(stack.pipeline.definitionStorage).toBe(DefinitionStorage.INLINE);
  });

  test('the artifact bucket: KMS with the pipeline key, bucket key, versioned, no public access, SSL only, access logs, retained', () => {
    const [bucketId, bucket] = resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.includes('Artifacts'))!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^IrisKey/), 'Arn'] } },
    }]);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: expect.stringMatching(/^IrisAccessLogs/) }, LogFilePrefix: 'artifacts/' });
    const policy = resourcesOf(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)![1];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' },
    }));
  });

  test('the key rotates and is retained', () => {
    const key = only(template, 'AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
  });

  test('the execution role is assumed by SageMaker only, for this account and region, and has no managed policies', () => {
    const role = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.includes('ExecutionRole'))![1];
    const sourceArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']] };
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'sagemaker.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': sourceArn } },
    }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('least privilege: the job types it runs, its own prefix, its code, its group, its key, PassRole to itself only', () => {
    const s = executionStatements(template);
    expect(Object.keys(s).sort()).toEqual([
      'EncryptJobVolumes', 'ListPipelinePrefix', 'ListStepCode', 'LocateBucket', 'PassThisRoleToJobs', 'PublishTrainingMetrics', 'PullImages',
      'PullImagesAuth', 'ReadStepCode', 'ReadWritePipelinePrefix', 'RegisterModels', 'RunProcessingJobs', 'RunTrainingJobs', 'UsePipelineKey', 'WriteJobLogs',
    ]);
    expect(s.PassThisRoleToJobs).toEqual({
      Sid: 'PassThisRoleToJobs', Effect: 'Allow', Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^IrisExecutionRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    });
    expect(s.ReadWritePipelinePrefix.Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload']);
    expect(JSON.stringify(s.ReadWritePipelinePrefix.Resource)).toContain('/pipelines/iris/*');
    expect(s.ListPipelinePrefix.Condition).toEqual({ StringLike: { 's3:prefix': ['pipelines/iris', 'pipelines/iris/*'] } });
    expect(JSON.stringify(s.RegisterModels.Resource)).toContain(':model-package/iris-classifier/*');
    expect(JSON.stringify(s.RegisterModels.Resource)).toContain(':model-package-group/iris-classifier');
    expect(JSON.stringify(s.RunProcessingJobs.Resource)).toContain(':processing-job/*');
    expect(s.EncryptJobVolumes.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    expect(s.PublishTrainingMetrics.Condition).toEqual({ StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } });
    const actions = Object.values(s).flatMap((st: any) => [st.Action].flat());
    expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
    // The default image's repository is found through the region mapping.
    expect(JSON.stringify(s.PullImages.Resource)).toContain('"Fn::FindInMap":["MlopsSklearnImageAccounts",{"Ref":"AWS::Region"},"account"]');
  });

  test('a pipeline without training steps gets no training permissions', () => {
    const t = templateOf(stackWith((stack) => new MlPipeline(stack, 'P', { pipeline: feature('script-steps-and-artifacts'), orchestrator: Orchestrator.sageMaker() })));
    const s = executionStatements(t);
    expect(s.RunTrainingJobs).toBeUndefined();
    expect(s.PublishTrainingMetrics).toBeUndefined();
    expect(s.RegisterModels).toBeUndefined();
    expect(JSON.stringify(s.WriteJobLogs.Resource)).not.toContain('TrainingJobs');
  });

  test('the model package group is created and retained', () => {
    const group = only(template, 'AWS::SageMaker::ModelPackageGroup');
    expect(group.Properties.ModelPackageGroupName).toBe('iris-classifier');
    expect(group.DeletionPolicy).toBe('Retain');
  });

  test('the schedule runs daily at 03:00 UTC in EventBridge syntax, through a role that may only start this pipeline', () => {
    const schedule = only(template, 'AWS::Scheduler::Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':pipeline/iris']] } },
    });
    expect(schedule.Properties.Target.SageMakerPipelineParameters).toBeUndefined();
    const [roleId, role] = resourcesOf(template, 'AWS::IAM::Role').find(([id]) => id.includes('ScheduleRole'))!;
    expect(schedule.Properties.Target.RoleArn).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    // Confused-deputy conditions: this account, and its default schedule group (where the schedule is).
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule-group/default']] } },
      },
    }]);
    // The schedule prop is a trigger, the same as addTrigger makes.
    expect(stack.pipeline.scheduleTrigger?.resource.cfnResourceType).toBe('AWS::Scheduler::Schedule');
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'StartPipeline',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'sagemaker:StartPipelineExecution', Effect: 'Allow', Resource: schedule.Properties.Target.Arn }] },
    }]);
  });

  test('failed executions of this pipeline go to an encrypted, SSL-only topic with the e-mail subscription', () => {
    const rule = only(template, 'AWS::Events::Rule');
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
      'detail': { currentPipelineExecutionStatus: ['Failed'], pipelineArn: [{ 'equals-ignore-case': expect.anything() }] },
    });
    const topic = only(template, 'AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^IrisKey/), 'Arn'] });
    expect(rule.Properties.Targets[0].Arn).toEqual({ Ref: resourcesOf(template, 'AWS::SNS::Topic')[0][0] });
    const topicPolicy = only(template, 'AWS::SNS::TopicPolicy');
    expect(JSON.stringify(topicPolicy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    const [ruleId] = resourcesOf(template, 'AWS::Events::Rule')[0];
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Sid: 'AllowFailureAlertsFromEventBridge', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
    }));
    expect(rule.Properties.Targets[0].InputTransformer).toEqual({
      InputPathsMap: { status: '$.detail.currentPipelineExecutionStatus', execution: '$.detail.pipelineExecutionArn', time: '$.time' },
      InputTemplate: '{"pipeline":"iris","status":<status>,"execution":<execution>,"time":<time>}',
    });
    expect(only(template, 'AWS::SNS::Subscription').Properties).toMatchObject({ Protocol: 'email', Endpoint: 'ml-team@example.com' });
    const key = only(template, 'AWS::KMS::Key');
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Sid: 'AllowEventBridgeToPublishEncryptedAlerts', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    }));
  });

  test('outputs name the pipeline, bucket and alert topic', () => {
    expect(Object.keys(template.Outputs).sort()).toEqual(['AlertTopic', 'ArtifactBucket', 'PipelineName']);
  });
});

describe('schedules', () => {
  const parametrized = () => {
    const p = new Pipeline('sched', { parameters: { minAccuracy: Parameter.number(0.9), region: Parameter.string('eu'), full: Parameter.boolean(false) } });
    p.addStep(Step.script('s', { code: FIXTURE_CODE, entry: 'noop.py' }));
    return p;
  };

  test('parameter values are checked against the pipeline and passed as text', () => {
    const t = templateOf(stackWith((stack) => new MlPipeline(stack, 'P', {
      pipeline: parametrized(),
      orchestrator: Orchestrator.sageMaker(),
      schedule: Schedule.cron('30 6 * * 1-5', { timeZone: 'Europe/Berlin', parameters: { minAccuracy: '0.95', full: 'TRUE' } }),
    })));
    expect(only(t, 'AWS::Scheduler::Schedule').Properties).toMatchObject({
      ScheduleExpression: 'cron(30 6 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      Target: { SageMakerPipelineParameters: { PipelineParameterList: [{ Name: 'minAccuracy', Value: '0.95' }, { Name: 'full', Value: 'true' }] } },
    });
  });

  test('rates', () => {
    const t = templateOf(stackWith((stack) => new MlPipeline(stack, 'P', { pipeline: parametrized(), orchestrator: Orchestrator.sageMaker(), schedule: Schedule.hourly() })));
    expect(only(t, 'AWS::Scheduler::Schedule').Properties.ScheduleExpression).toBe('cron(0 * * * ? *)');
  });
});

describe('grants and metrics', () => {
  test('grantStart (and its older name grantStartExecution) allows sagemaker:StartPipelineExecution on this pipeline and nothing else', () => {
    const stack = stackWith(() => undefined);
    const pipeline = new MlPipeline(stack, 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker() });
    const user = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantStart(user);
    pipeline.grantStartExecution(user);
    const policy = resourcesOf(templateOf(stack), 'AWS::IAM::Policy').find(([id]) => id.startsWith('CallerDefaultPolicy'))![1];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([{
      Action: 'sagemaker:StartPipelineExecution',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':pipeline/feature-fail']] },
    }]);
  });

  test('a name with capitals is granted as written and in lower case (SageMaker reports ARNs in lower case)', () => {
    const stack = stackWith(() => undefined, { account: '123456789012', region: 'eu-west-1' });
    const pipeline = new MlPipeline(stack, 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker(), pipelineName: 'Churn-Training' });
    const user = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    pipeline.grantStart(user);
    expect(pipeline.pipelineArn).toBe('arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-training');
    const policy = resourcesOf(templateOf(stack), 'AWS::IAM::Policy').find(([id]) => id.startsWith('CallerDefaultPolicy'))![1];
    expect([...policy.Properties.PolicyDocument.Statement[0].Resource].sort()).toEqual([
      'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/Churn-Training',
      'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/churn-training',
    ]);
    expect(only(templateOf(stack), 'AWS::SageMaker::Pipeline').Properties.PipelineName).toBe('Churn-Training');
  });

  test('metric helpers read AWS/Sagemaker/ModelBuildingPipeline for this pipeline', () => {
    const pipeline = new MlPipeline(stackWith(() => undefined), 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker() });
    expect([pipeline.metricExecutionsFailed(), pipeline.metricExecutionsSucceeded(), pipeline.metricExecutionsStarted()].map((m) => [m.namespace, m.metricName, m.dimensions, m.statistic])).toEqual([
      ['AWS/Sagemaker/ModelBuildingPipeline', 'ExecutionFailed', { PipelineName: 'feature-fail' }, 'Sum'],
      ['AWS/Sagemaker/ModelBuildingPipeline', 'ExecutionSucceeded', { PipelineName: 'feature-fail' }, 'Sum'],
      ['AWS/Sagemaker/ModelBuildingPipeline', 'ExecutionStarted', { PipelineName: 'feature-fail' }, 'Sum'],
    ]);
    expect(pipeline.metricExecutionDuration().statistic).toBe('Average');
  });
});

describe('large definitions', () => {
  test('a definition over the inline budget moves to the artifact bucket, deployed with its deploy-time values', () => {
    let pipeline!: MlPipeline;
    const stack = stackWith((s) => {
      pipeline = new MlPipeline(s, 'Big', { pipeline: chainPipeline(250), orchestrator: Orchestrator.sageMaker() });
    });
    expect(pipeline.definitionSize).toBeGreaterThan(MlPipeline.INLINE_DEFINITION_BUDGET);
    expect(pipeline.definitionStorage).toBe(DefinitionStorage.S3);
    const t = templateOf(stack);
    const location = only(t, 'AWS::SageMaker::Pipeline').Properties.PipelineDefinition;
    expect(Object.keys(location)).toEqual(['PipelineDefinitionS3Location']);
    expect(location.PipelineDefinitionS3Location).toEqual({
      Bucket: { Ref: expect.stringMatching(/^BigArtifacts/) },
      Key: expect.stringMatching(/^pipelines\/chain-250\/definition\/[0-9a-f]{16}\.json$/),
    });
    const deployment = only(t, 'Custom::CDKBucketDeployment');
    expect(deployment.Properties.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^BigArtifacts/) });
    expect(deployment.Properties.Prune).toBe(false);
    expect(deployment.Properties.SourceMarkers?.length).toBeGreaterThan(0);
    expect(only(t, 'AWS::SageMaker::Pipeline').DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^BigDefinitionCustomResource/)]));
  });

  test('DefinitionStorage.S3 puts even a small definition in S3; INLINE keeps it in the template', () => {
    const s3Stack = templateOf(stackWith((s) => new MlPipeline(s, 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker(), definitionStorage: DefinitionStorage.S3 })));
    expect(only(s3Stack, 'AWS::SageMaker::Pipeline').Properties.PipelineDefinition.PipelineDefinitionS3Location).toBeDefined();
    const inline = templateOf(stackWith((s) => new MlPipeline(s, 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker(), definitionStorage: DefinitionStorage.INLINE })));
    expect(only(inline, 'AWS::SageMaker::Pipeline').Properties.PipelineDefinition.PipelineDefinitionBody).toBeDefined();
  });
});

describe('existing bucket, role and key', () => {
  const build = () => {
    const stack = new Stack(testApp(), 'Imports', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'team-ml-artifacts', encryptionKey: key });
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/team-ml-pipelines');
    const pipeline = new MlPipeline(stack, 'P', { pipeline: feature('register-model'), orchestrator: Orchestrator.sageMaker(), bucket, role, bucketPrefix: 'team/register' });
    return { stack, pipeline, template: templateOf(stack) };
  };
  const { pipeline, template } = build();

  test('creates no bucket, role or key of its own, and uses the given ones in the definition', () => {
    expect(resourcesOf(template, 'AWS::S3::Bucket')).toEqual([]);
    expect(resourcesOf(template, 'AWS::KMS::Key')).toEqual([]);
    expect(resourcesOf(template, 'AWS::IAM::Role')).toEqual([]);
    expect(pipeline.encryptionKey.keyArn).toBe('arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const resource = only(template, 'AWS::SageMaker::Pipeline');
    expect(resource.Properties.RoleArn).toBe('arn:aws:iam::123456789012:role/team-ml-pipelines');
    const definition = Object.values(sageMakerDefinitions(template))[0];
    const fit = definition.Steps.find((s: any) => s.Name === 'fit');
    expect(fit.Arguments.OutputDataConfig).toEqual({ S3OutputPath: 's3://team-ml-artifacts/team/register/fit', KmsKeyId: pipeline.encryptionKey.keyArn });
    // A concrete region gets the scikit-learn image URI as a literal, no mapping.
    expect(fit.Arguments.AlgorithmSpecification.TrainingImage).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3');
    expect(template.Mappings).toBeUndefined();
  });

  test('attaches the least-privilege policy to the given role, on the given bucket\'s prefix and key', () => {
    expect(executionPolicy(template).Properties.Roles).toEqual(['team-ml-pipelines']);
    const s = executionStatements(template);
    expect(s.ReadWritePipelinePrefix.Resource).toBe('arn:aws:s3:::team-ml-artifacts/team/register/*');
    expect(s.UsePipelineKey.Resource).toBe('arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    expect(s.PassThisRoleToJobs.Resource).toBe('arn:aws:iam::123456789012:role/team-ml-pipelines');
    expect(s.PullImages.Resource).toBe('arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-scikit-learn');
  });

  test('an immutable given role takes no policy; a warning says what it needs', () => {
    const stack = new Stack(testApp(), 'Immutable');
    new MlPipeline(stack, 'P', {
      pipeline: feature('fail-step'),
      orchestrator: Orchestrator.sageMaker(),
      role: iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/locked', { mutable: false }),
    });
    const { result: t, printed } = capturingConsole(() => Template.fromStack(stack));
    expect(printed).toContain("Acknowledge with 'Annotation::cdk-mlops:ImmutableRole'");
    t.resourceCountIs('AWS::IAM::Policy', 0);
    t.resourceCountIs('AWS::IAM::Role', 0);
    const warnings = capturingConsole(() => Object.values<any>(require('aws-cdk-lib/assertions').Annotations.fromStack(stack).findWarning('*', Match.anyValue()))).result;
    expect(JSON.stringify(warnings)).toContain('the given role takes no policy (it is immutable), so it must already allow: ');
    expect(JSON.stringify(warnings)).toContain('iam:PassRole');
  });

  test('a role of the same app (aws-iam Role) takes the policy in its DefaultPolicy, which the pipeline waits for; no warning', () => {
    const stack = new Stack(testApp(), 'SameAppRole');
    const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    new MlPipeline(stack, 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker(), role });
    const t = templateOf(stack);
    const [policyId, policy] = resourcesOf(t, 'AWS::IAM::Policy')[0];
    expect(policyId).toMatch(/^TeamRoleDefaultPolicy/);
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('iam:PassRole');
    expect(only(t, 'AWS::SageMaker::Pipeline').DependsOn).toContain(policyId);
    expect(require('aws-cdk-lib/assertions').Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('an existing alert topic is used instead of a new one', () => {
    const stack = new Stack(testApp(), 'Topic');
    const topic = new (require('aws-cdk-lib/aws-sns').Topic)(stack, 'Existing');
    new MlPipeline(stack, 'P', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker(), alarmTopic: topic });
    const t = templateOf(stack);
    expect(resourcesOf(t, 'AWS::SNS::Topic')).toHaveLength(1);
    expect(only(t, 'AWS::Events::Rule').Properties.Targets[0].Arn).toEqual({ Ref: expect.stringMatching(/^Existing/) });
  });
});

describe('options', () => {
  test('maxParallelSteps, a custom default image with its repository, and no model package groups when they exist', () => {
    const t = templateOf(stackWith((s) => new MlPipeline(s, 'P', {
      pipeline: feature('register-model'),
      orchestrator: Orchestrator.sageMaker({ maxParallelSteps: 4, defaultImage: '111122223333.dkr.ecr.us-west-2.amazonaws.com/ml/base:7' }),
      createModelPackageGroups: false,
    })));
    expect(only(t, 'AWS::SageMaker::Pipeline').Properties.ParallelismConfiguration).toEqual({ MaxParallelExecutionSteps: 4 });
    expect(resourcesOf(t, 'AWS::SageMaker::ModelPackageGroup')).toEqual([]);
    expect(t.Mappings).toBeUndefined();
    expect(JSON.stringify(executionStatements(t).PullImages.Resource)).toContain(':ecr:us-west-2:111122223333:repository/ml/base');
    const definition = Object.values(sageMakerDefinitions(t))[0];
    expect(definition.Steps[0].Arguments.AlgorithmSpecification.TrainingImage).toBe('111122223333.dkr.ecr.us-west-2.amazonaws.com/ml/base:7');
  });

  test('an image known only at deploy time (an ECR repository in the app) is pulled from any repository, nothing else widened', () => {
    const stack = stackWith(() => undefined);
    const repository = new (require('aws-cdk-lib/aws-ecr').Repository)(stack, 'Images');
    const p = new Pipeline('token-image');
    p.addStep(Step.script('s', { code: FIXTURE_CODE, entry: 'noop.py', image: repository.repositoryUriForTag('v1') }));
    new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
    const t = templateOf(stack);
    expect(executionStatements(t).PullImages.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:*:*:repository/*']] });
    expect(t.Mappings).toBeUndefined();
    const definition = Object.values(sageMakerDefinitions(t))[0];
    expect(definition.Steps[0].Arguments.AppSpecification.ImageUri).toMatch(/^DEPLOY_TIME_VALUE_0+\.dkr\.ecr\.DEPLOY_TIME_VALUE_0+\.DEPLOY_TIME_VALUE_0+\/DEPLOY_TIME_VALUE_0+:v1$/);
  });

  test('one code asset per distinct code directory, the same hash every synth', () => {
    const hashes = () => {
      const stack = stackWith((s) => new MlPipeline(s, 'P', { pipeline: feature('training-step-model'), orchestrator: Orchestrator.sageMaker() }));
      const steps = Object.values(sageMakerDefinitions(templateOf(stack)))[0].Steps;
      return JSON.stringify(steps.map((s: any) => (s.Arguments.AlgorithmSpecification ?? s.Arguments.AppSpecification).ContainerEntrypoint));
    };
    const first = hashes();
    const archives = first.match(/[0-9a-f]{64}\.zip/g)!;
    expect(archives).toHaveLength(2);
    expect(new Set(archives).size).toBe(1);
    expect(hashes()).toBe(first);
  });

  test('Match: the template has one pipeline per MlPipeline', () => {
    const stack = stackWith((s) => {
      new MlPipeline(s, 'A', { pipeline: feature('fail-step'), orchestrator: Orchestrator.sageMaker() });
      new MlPipeline(s, 'B', { pipeline: feature('depends-on'), orchestrator: Orchestrator.sageMaker() });
    });
    Template.fromStack(stack).resourceCountIs('AWS::SageMaker::Pipeline', 2);
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::Pipeline', Match.objectLike({ PipelineName: 'feature-depends' }));
  });
});
