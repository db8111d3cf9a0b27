import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdk8s';
import { FeatureSnapshotsStack } from '../../examples/feature-snapshots/aws';
import { FeatureSnapshotsChart } from '../../examples/feature-snapshots/k8s';
import { cfnLint, nagFindings, templateOf, testApp } from '../support/aws';
import { capturingConsole } from '../support/console';
import { broadEgressProblems, podSecurityProblems, resourceProblems, validateManifests } from '../support/k8s';

test('SageMaker: cfn-lint clean; the four cdk-nag packs have no unacknowledged finding', () => {
  const app = testApp({ nag: true });
  const template = templateOf(new FeatureSnapshotsStack(app, 'FeatureSnapshots'));
  expect(cfnLint({ FeatureSnapshots: template }, 'Warning')).toEqual([]);
  expect(nagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
});

test('SageMaker: two pipelines; the feature role may write the store, the training role reads only its table', () => {
  const stack = new FeatureSnapshotsStack(new App({ builtinCloudFormationValidation: false }), 'FeatureSnapshots');
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::SageMaker::Pipeline', 2);
  const grants = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([id, p]: [string, any]) => p.Properties.PolicyDocument.Statement
    .filter((s: any) => JSON.stringify(s.Resource).includes('example-feature-snapshots'))
    .map((s: any) => [id.replace(/[0-9A-F]{8}$/, ''), ([] as string[]).concat(s.Action), JSON.stringify(s.Resource).match(/s3:::[^"]*/g)]));
  expect(grants).toEqual([
    ['FeaturesExecutionRoleDefaultPolicy', ['s3:GetObject', 's3:PutObject'], ['s3:::example-feature-snapshots/feature-snapshots/*']],
    ['FeaturesExecutionRoleDefaultPolicy', ['s3:ListBucket'], ['s3:::example-feature-snapshots']],
    ['TrainingExecutionPolicy', ['s3:GetObject'], ['s3:::example-feature-snapshots/feature-snapshots/customers/*']],
    ['TrainingExecutionPolicy', ['s3:ListBucket'], ['s3:::example-feature-snapshots']],
  ]);
});

test('Kubernetes (Argo): both pipelines as WorkflowTemplates with their schedules', () => {
  const { result: manifests } = capturingConsole(() => Testing.synth(new FeatureSnapshotsChart(Testing.app(), 'feature-snapshots')));
  const templates = manifests.filter((m: { kind: string }) => m.kind === 'WorkflowTemplate').map((m: any) => m.metadata.name);
  expect(templates.sort()).toEqual(['customer-features', 'customer-training']);
  expect(manifests.filter((m: { kind: string }) => m.kind === 'CronWorkflow')).toHaveLength(2);
  expect(validateManifests(manifests)).toEqual([]);
  expect(manifests.flatMap((o: any) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
});
