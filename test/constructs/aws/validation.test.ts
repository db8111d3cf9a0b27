/**
 * The real validation pass for everything aws.MlPipeline synthesizes: cfn-lint over every
 * template (one call), and botocore's SageMaker API model over every embedded pipeline definition
 * (one Python process). Covers the Iris example, every conformance feature, the S3-definition path,
 * a stack built on an existing bucket, role and key, and one with triggers (EventBridge rules and
 * schedules, on an own and an imported pipeline) and steps edited in after the construct was made.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DefinitionStorage, MlPipeline, Orchestrator } from '../../../constructs/aws';
import { IrisSageMakerStack } from '../../../examples/iris/aws';
import { Parameter, RateUnit, Schedule, Step } from '../../../lib/pipeline';
import { SAGEMAKER_COLUMN } from '../../conformance/columns/sagemaker';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { cfnLint, checkSageMakerArguments, sageMakerDefinitions, templateOf, testApp } from '../../support/aws';
import { chainPipeline } from '../../support/aws/pipelines';

const app = testApp();
const stacks: Stack[] = [];
const definitionsInS3: { [name: string]: object } = {};

stacks.push(new IrisSageMakerStack(app, 'IrisSageMaker', { alarmEmails: ['ml-team@example.com'] }));
// Every feature the SageMaker column of the support table says SageMaker runs.
for (const feature of FEATURES.filter((f) => SAGEMAKER_COLUMN[f.id]?.supported === true)) {
  const stack = new Stack(app, `Feature-${feature.id}`);
  new MlPipeline(stack, 'Pipeline', { pipeline: feature.build(), orchestrator: Orchestrator.sageMaker({ maxParallelSteps: 2 }), schedule: Schedule.rate(12, RateUnit.HOURS) });
  stacks.push(stack);
}
{
  const stack = new Stack(app, 'S3Definition');
  const big = new MlPipeline(stack, 'Big', { pipeline: chainPipeline(250), orchestrator: Orchestrator.sageMaker(), definitionStorage: DefinitionStorage.AUTO });
  // The definition the BucketDeployment writes, with deploy-time values rendered as in the template.
  definitionsInS3.S3Definition = JSON.parse(renderResolved(stack.resolve(stack.toJsonString(big.definition))));
  stacks.push(stack);
}
{
  const stack = new Stack(app, 'Imports', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
  new MlPipeline(stack, 'Pipeline', {
    pipeline: FEATURES.find((f) => f.id === 'register-model')!.build(),
    orchestrator: Orchestrator.sageMaker(),
    bucket: s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'team-ml-artifacts', encryptionKey: key }),
    role: iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/team-ml-pipelines'),
  });
  stacks.push(stack);
}

{
  const stack = new Stack(app, 'Triggers');
  const p = FEATURES.find((f) => f.id === 'typed-parameters')!.build();
  const pipeline = new MlPipeline(stack, 'Pipeline', { pipeline: p, orchestrator: Orchestrator.sageMaker() });
  pipeline.addTrigger('Drift', { eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'] }, parameters: { late: 'yes' } });
  pipeline.addTrigger('Weekly', { schedule: Schedule.cron('0 6 * * 1') });
  p.addParameter('late', Parameter.string('no'));
  p.addStep(Step.training('late-fit', { code: FIXTURE_CODE, entry: 'noop.py' }));
  MlPipeline.fromPipelineName(stack, 'Other', 'other-pipeline').addTrigger('Nightly', { schedule: Schedule.daily(), parameters: { any: 'value' } });
  stacks.push(stack);
}

const templates = Object.fromEntries(stacks.map((s) => [s.stackName, templateOf(s)]));

test(`cfn-lint finds no errors in the ${stacks.length} synthesized templates, and no warnings but one in aws-cdk-lib's BucketDeployment`, () => {
  const findings = cfnLint(templates, 'Warning');
  expect(findings.filter((f) => f.level === 'Error')).toEqual([]);
  // aws-cdk-lib's BucketDeployment handler lists its role in DependsOn although a GetAtt already orders them.
  const upstream = (f: { rule: string; path: string }) => f.rule === 'W3005' && f.path.startsWith('Resources/CustomCDKBucketDeployment');
  expect(findings.filter((f) => !upstream(f))).toEqual([]);
});

test('every embedded and S3-deployed pipeline definition matches the SageMaker API model (botocore)', () => {
  const definitions: { [name: string]: object } = { ...definitionsInS3 };
  for (const [name, template] of Object.entries(templates)) {
    for (const [id, definition] of Object.entries(sageMakerDefinitions(template))) {
      definitions[`${name}/${id}`] = definition;
    }
  }
  expect(Object.keys(definitions)).toHaveLength(stacks.length);
  expect(checkSageMakerArguments(definitions)).toEqual([]);
});

/** A resolved Stack.toJsonString value as text, deploy-time values as placeholders (as the harness does). */
function renderResolved(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  const [separator, parts] = value['Fn::Join'];
  return parts.map((p: any) => (typeof p === 'string' ? p : 'DEPLOY_TIME_VALUE_000000000000000')).join(separator);
}

/**
 * aws-cdk-lib's own roles that a service assumes without confused-deputy conditions: the
 * BucketDeployment handler's (Lambda), which aws-cdk-lib writes; AWS documents no aws:SourceArn
 * for Lambda assuming a function's execution role.
 */
const UPSTREAM_ROLES = /^CustomCDKBucketDeployment[0-9A-F]+ServiceRole/;

test('every service trust policy the family writes has confused-deputy conditions (aws:SourceAccount and aws:SourceArn)', () => {
  const trusts: { [role: string]: { service: string; condition: any } } = {};
  for (const [name, template] of Object.entries<any>(templates)) {
    for (const [id, role] of Object.entries<any>(template.Resources)) {
      if (role.Type !== 'AWS::IAM::Role' || UPSTREAM_ROLES.test(id)) {
        continue;
      }
      for (const statement of role.Properties.AssumeRolePolicyDocument.Statement) {
        trusts[`${name}/${id}`] = { service: statement.Principal.Service, condition: statement.Condition };
      }
    }
  }
  const services = new Set(Object.values(trusts).map((t) => t.service));
  expect([...services].sort()).toEqual(['events.amazonaws.com', 'sagemaker.amazonaws.com', 'scheduler.amazonaws.com']);
  const account = { Ref: 'AWS::AccountId' };
  const arn = (service: string, resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', account, `:${resource}`]] });
  const expected: { [service: string]: object } = {
    'sagemaker.amazonaws.com': arn('sagemaker', '*'),
    'events.amazonaws.com': arn('events', 'rule/*'),
    'scheduler.amazonaws.com': arn('scheduler', 'schedule-group/default'),
  };
  for (const [role, { service, condition }] of Object.entries(trusts)) {
    expect([role, condition]).toEqual([role, { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': expected[service] } }]);
  }
});
