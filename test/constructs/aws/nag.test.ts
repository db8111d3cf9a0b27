/**
 * cdk-nag AwsSolutions on the example stack and on the other shapes MlPipeline takes: no
 * unsuppressed finding, and every suppression the library makes carries a reason. Kept apart from
 * the snapshot tests because findings make synthesis throw.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DefinitionStorage, MlPipeline, Orchestrator } from '../../../constructs/aws';
import { IrisSageMakerStack } from '../../../examples/iris/aws';
import { DataSource, Pipeline, Schedule, Step } from '../../../lib/pipeline';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { nagFindings, testApp } from '../../support/aws';

test('the Iris example stack has no unsuppressed AwsSolutions findings', () => {
  const app = testApp({ nag: true });
  new IrisSageMakerStack(app, 'IrisSageMaker', { alarmEmails: ['ml-team@example.com'] });
  expect(nagFindings(app)).toEqual([]);
});

test('a definition in S3 (BucketDeployment) and a stack on an existing bucket, role and key have none either', () => {
  const app = testApp({ nag: true });
  const s3Stack = new Stack(app, 'S3Definition');
  new MlPipeline(s3Stack, 'P', { pipeline: FEATURES.find((f) => f.id === 'training-step-model')!.build(), orchestrator: Orchestrator.sageMaker(), definitionStorage: DefinitionStorage.S3 });
  const imports = new Stack(app, 'Imports', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = kms.Key.fromKeyArn(imports, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
  new MlPipeline(imports, 'P', {
    pipeline: FEATURES.find((f) => f.id === 'register-model')!.build(),
    orchestrator: Orchestrator.sageMaker(),
    bucket: s3.Bucket.fromBucketAttributes(imports, 'Bucket', { bucketName: 'team-ml-artifacts', encryptionKey: key }),
    role: iam.Role.fromRoleArn(imports, 'Role', 'arn:aws:iam::123456789012:role/team-ml-pipelines'),
  });
  expect(nagFindings(app)).toEqual([]);
});

test('triggers, external data and steps added after the construct was made have none either', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'Triggers');
  const p = new Pipeline('nag-late');
  const pipeline = new MlPipeline(stack, 'P', { pipeline: p, orchestrator: Orchestrator.sageMaker(), schedule: Schedule.daily() });
  pipeline.addTrigger('Drift', { eventPattern: { source: ['aws.cloudwatch'] } });
  MlPipeline.fromPipelineName(stack, 'Other', 'other').addTrigger('Nightly', { schedule: Schedule.daily() });
  const fit = Step.training('fit', { code: FIXTURE_CODE, entry: 'noop.py', inputs: { data: DataSource.fromUri('s3://raw-data/iris/') } });
  p.addStep(fit, Step.registerModel('register', { model: fit.model(), group: 'nag-late' }));
  expect(nagFindings(app)).toEqual([]);
});

test('every acknowledgement the library records states a reason', () => {
  const app = testApp();
  const stack = new IrisSageMakerStack(app, 'IrisSageMaker');
  app.synth();
  const acknowledgements = stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries<any>(m.data))
    .filter(([id]) => id.includes('AwsSolutions')));
  expect(acknowledgements.length).toBeGreaterThan(0);
  for (const [id, reason] of acknowledgements) {
    expect([id, typeof reason]).toEqual([id, 'string']);
    expect(reason.length).toBeGreaterThan(40);
  }
});
