/**
 * cdk-nag's AwsSolutions, HIPAA Security, NIST 800-53 R5 and PCI DSS 3.2.1 packs on the example
 * stack and on the other shapes MlPipeline takes: no unsuppressed finding, and every suppression
 * the library makes carries a reason. Kept apart from the snapshot tests because findings make
 * synthesis throw.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DefinitionStorage, MlPipeline, Orchestrator } from '../../../constructs/aws';
import { IrisSageMakerStack } from '../../../examples/iris/aws';
import { DataSource, Pipeline, Schedule, Step } from '../../../lib/pipeline';
import { FEATURES, FIXTURE_CODE } from '../../conformance/features';
import { NAG_PACKS, nagFindings, testApp } from '../../support/aws';

test(`the Iris example stack has no unsuppressed findings in cdk-nag's ${NAG_PACKS.join(', ')} packs`, () => {
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

test('two pipelines sharing a model package group, on a given mutable role, have none either', () => {
  const app = testApp({ nag: true });
  const stack = new Stack(app, 'Shared');
  const role = new iam.Role(stack, 'TeamRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  for (const name of ['churn', 'upsell']) {
    const p = new Pipeline(name);
    const fit = Step.training('fit', { code: FIXTURE_CODE, entry: 'noop.py' });
    p.addStep(fit, Step.registerModel('register', { model: fit.model(), group: 'customer-models' }));
    new MlPipeline(stack, name, { pipeline: p, orchestrator: Orchestrator.sageMaker(), role: name === 'upsell' ? role : undefined });
  }
  expect(nagFindings(app)).toEqual([]);
});

test('every acknowledgement the library records, in each pack, states a reason', () => {
  const app = testApp();
  const iris = new IrisSageMakerStack(app, 'IrisSageMaker');
  const s3Stack = new Stack(app, 'S3Definition');
  new MlPipeline(s3Stack, 'P', { pipeline: FEATURES.find((f) => f.id === 'training-step-model')!.build(), orchestrator: Orchestrator.sageMaker(), definitionStorage: DefinitionStorage.S3 });
  const triggers = new Stack(app, 'Triggers');
  MlPipeline.fromPipelineName(triggers, 'Other', 'other').addTrigger('Drift', { eventPattern: { source: ['aws.cloudwatch'] } });
  app.synth();
  const acknowledgements = [iris, s3Stack, triggers].flatMap((stack) => stack.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries<any>(m.data))));
  const ids = acknowledgements.map(([id]) => id.replace(/^annotation::/i, ''));
  for (const pack of NAG_PACKS) {
    expect([pack, ids.some((id) => id.startsWith(`${pack}-`))]).toEqual([pack, true]);
  }
  for (const [id, reason] of acknowledgements) {
    expect([id, typeof reason]).toEqual([id, 'string']);
    expect([id, reason.length > 40]).toEqual([id, true]);
  }
});
