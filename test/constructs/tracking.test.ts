import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Chart, Testing } from 'cdk8s';
import * as aws from '../../constructs/aws';
import * as k8s from '../../constructs/k8s';
import { Code, Pipeline, Step } from '../../lib';
import { templateOf, testApp } from '../support/aws';
import { validateManifests } from '../support/k8s';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };
const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));

function twoSteps(): Pipeline {
  const p = new Pipeline('tracked');
  const a = Step.script('prepare', { code, entry: 'noop.py', outputs: ['rows'] });
  p.addStep(a, Step.training('fit', { code, entry: 'noop.py', inputs: { rows: a.output('rows') }, env: { MLFLOW_TRACKING_URI: 'http://own:5000' } }));
  return p;
}

function k8sChart(engine: () => k8s.Engine, serverNamespace = 'ml'): { objects: Json[]; warnings: string[] } {
  const app = Testing.app();
  const chart = new Chart(app, 'ml', { namespace: 'ml' });
  const mlflowChart = serverNamespace === 'ml' ? chart : new Chart(app, 'tracking', { namespace: serverNamespace });
  const server = new k8s.MlflowServer(mlflowChart, 'Mlflow', {
    backendStore: k8s.MlflowBackendStore.postgres({ password: { name: 'mlflow-db', key: 'password' } }),
    artifactStore: k8s.MlflowArtifactStore.persistentVolume(),
  });
  new k8s.MlPipeline(chart, 'Tracked', { pipeline: twoSteps(), engine: engine(), tracking: server, apiServer: k8s.NetworkEndpoint.apiServer('10.0.0.1/32') });
  return { objects: Testing.synth(chart), warnings: k8s.SynthWarnings.of(chart) };
}

describe.each([
  ['Argo', () => k8s.Engine.argo({ defaultImage: 'python:3.12-slim' })],
  ['Kubeflow', () => k8s.Engine.kubeflow({ defaultImage: 'python:3.12-slim' })],
])('k8s.MlPipeline with a tracking MlflowServer on %s', (_name, engine) => {
  const { objects } = k8sChart(engine);

  test('every step gets the server as MLFLOW_TRACKING_URI, except one whose env sets its own', () => {
    const text = JSON.stringify(objects);
    expect(text).toContain('MLFLOW_TRACKING_URI=http://mlflow.ml.svc:5000');
    expect(text.split('MLFLOW_TRACKING_URI=http://mlflow.ml.svc:5000').length - 1).toBe(1);
    expect(text).toMatch(/MLFLOW_TRACKING_URI=http:\/\/own:5000|\{"name":"MLFLOW_TRACKING_URI","value":"http:\/\/own:5000"\}/);
  });

  test("step pods carry the server's client label and may reach its pods on 5000; the manifests validate", () => {
    expect(JSON.stringify(objects)).toContain('"mlops.cdk.io/mlflow-client":"mlflow"');
    const allow = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'tracked-steps-allow')!;
    expect(allow.spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ml' } }, podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': 'mlflow-server', 'mlops.cdk.io/mlflow': 'mlflow' }) } }],
      ports: [{ port: 5000, protocol: 'TCP' }],
    });
    expect(validateManifests(objects)).toEqual([]);
  });
});

test('a tracking server in another namespace warns with the allowClientsFrom that fixes it', () => {
  const { warnings } = k8sChart(() => k8s.Engine.argo({ defaultImage: 'python:3.12-slim' }), 'tracking');
  expect(warnings).toContainEqual(expect.stringContaining("tracking server 'mlflow' is in namespace 'tracking', the pipeline in 'ml': the server admits client pods of its own namespace only, so give it allowClientsFrom: [NetworkEndpoint.pods({ namespace: 'ml', podLabels: {\"mlops.cdk.io/mlflow-client\":\"mlflow\"} })]"));
});

test('an Argo or Kubeflow trackingUri that is not an http(s) URL is refused', () => {
  const { compileArgo } = require('../../lib/compile/argo');
  const { compileKubeflow } = require('../../lib/compile/kubeflow');
  expect(() => compileArgo(twoSteps(), { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code', trackingUri: 'mlflow.ml.svc:5000' })).toThrow("Argo option trackingUri \"mlflow.ml.svc:5000\" is not an MLflow server URL (allowed: http(s)://host[:port][/path], no spaces or braces)");
  expect(() => compileKubeflow(twoSteps(), { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code', trackingUri: 'http://{{x}}' })).toThrow('Kubeflow option trackingUri "http://{{x}}" is not an MLflow server URL');
});

test('aws.MlPipeline with a tracking MlflowTrackingServer: its ARN in every step, and the role may use the server', () => {
  const stack = new Stack(testApp(), 'Tracked', { env: { account: '123456789012', region: 'eu-west-1' } });
  const server = new aws.MlflowTrackingServer(stack, 'Mlflow', {});
  new aws.MlPipeline(stack, 'Pipeline', { pipeline: twoSteps(), orchestrator: aws.Orchestrator.sageMaker(), tracking: server });
  const template = templateOf(stack);
  const definition = JSON.stringify(Object.values(template.Resources as Json).find((r: Json) => r.Type === 'AWS::SageMaker::Pipeline')!.Properties.PipelineDefinition);
  const serverName = Object.values(template.Resources as Json).find((r: Json) => r.Type === 'AWS::SageMaker::MlflowTrackingServer')!.Properties.TrackingServerName;
  expect(definition).toContain(`\\"MLFLOW_TRACKING_URI\\":\\"arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/${serverName}\\"`);
  expect(definition).toContain('\\"MLFLOW_TRACKING_URI\\":\\"http://own:5000\\"');
  const roleId = Object.keys(template.Resources).find((id) => id.startsWith('PipelineExecutionRole') && template.Resources[id].Type === 'AWS::IAM::Role')!;
  const actions = Object.values(template.Resources as Json)
    .filter((r: Json) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: Json) => ref.Ref === roleId))
    .flatMap((r: Json) => r.Properties.PolicyDocument.Statement.flatMap((s: Json) => [s.Action].flat()));
  expect(actions).toContain('sagemaker-mlflow:*');
});

test("a tracking server of the other cloud is refused by each MlPipeline, naming what it was given", () => {
  const stack = new Stack(testApp(), 'Cross', { env: { account: '123456789012', region: 'eu-west-1' } });
  const awsServer = new aws.MlflowTrackingServer(stack, 'Mlflow', {});
  const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
  const k8sServer = new k8s.MlflowServer(chart, 'Mlflow', {
    backendStore: k8s.MlflowBackendStore.postgres({ password: { name: 'mlflow-db', key: 'password' } }),
    artifactStore: k8s.MlflowArtifactStore.persistentVolume(),
  });

  expect(() => new aws.MlPipeline(stack, 'Pipeline', { pipeline: twoSteps(), orchestrator: aws.Orchestrator.sageMaker(), tracking: k8sServer as unknown as aws.MlflowTrackingServer }))
    .toThrow(`tracking is a Kubernetes tracking server (k8s.MlflowServer '${k8sServer.name}'), which the pipeline's SageMaker jobs cannot reach or be granted; give an aws.MlflowTrackingServer, e.g. new aws.MlflowTrackingServer(stack, 'Mlflow', {...})`);
  expect(() => new k8s.MlPipeline(chart, 'Tracked', { pipeline: twoSteps(), engine: k8s.Engine.argo({ defaultImage: 'python:3.12-slim' }), tracking: awsServer as unknown as k8s.MlflowServer }))
    .toThrow("tracking is an AWS tracking server (aws.MlflowTrackingServer), which step pods cannot use: its tracking URI is an ARN that needs the sagemaker-mlflow plugin and AWS credentials the pods do not have; give a k8s.MlflowServer, e.g. new k8s.MlflowServer(chart, 'mlflow', {...})");
  expect(() => new k8s.MlPipeline(chart, 'Other', { pipeline: twoSteps(), engine: k8s.Engine.argo({ defaultImage: 'python:3.12-slim' }), tracking: 'http://mlflow:5000' as unknown as k8s.MlflowServer }))
    .toThrow("tracking is 'http://mlflow:5000', not a k8s.MlflowServer; give one, e.g. new k8s.MlflowServer(chart, 'mlflow', {...}), or leave tracking out");
});
