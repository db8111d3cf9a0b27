import { Testing } from 'cdk8s';
import { GatedDeploySageMakerStack } from '../../examples/katib-gated-deploy/aws';
import { GatedDeployArgoChart, GatedDeployKubeflowChart } from '../../examples/katib-gated-deploy/k8s';
import { cfnLint, nagFindings, NAG_PACKS, sageMakerDefinitions, templateOf, testApp } from '../support/aws';
import { capturingConsole } from '../support/console';
import { validateManifests } from '../support/k8s';

type Json = { [key: string]: any };

/** examples/katib-gated-deploy synthesized for each cloud: the tuning step, the gate, the hand-off to an endpoint. */
describe('on AWS', () => {
  test('a SageMaker pipeline whose tuning step feeds the gate, and a canary endpoint on the approved best model; cfn-lint clean', () => {
    const stack = new GatedDeploySageMakerStack(testApp(), 'TunedIrisSageMaker');
    const template = templateOf(stack);
    const [definition] = Object.values(sageMakerDefinitions(template)) as Json[];
    expect(definition.Steps.map((s: Json) => [s.Name, s.Type])).toEqual(expect.arrayContaining([['hpo', 'Tuning'], ['accuracy-gate', 'Condition']]));
    const types = Object.values(template.Resources).map((r: any) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::SageMaker::Pipeline', 'AWS::SageMaker::Endpoint', 'Custom::LatestModelPackage']));
    expect(cfnLint({ TunedIrisSageMaker: template })).toEqual([]);
  });

  test('endpoint: false leaves the endpoint out (a group without an approved package fails its deployment)', () => {
    const stack = new GatedDeploySageMakerStack(testApp(), 'TunedIrisSageMaker', { endpoint: false });
    expect(stack.endpoint).toBeUndefined();
    const types = Object.values(templateOf(stack).Resources).map((r: any) => r.Type);
    expect(types).toContain('AWS::SageMaker::Pipeline');
    expect(types).not.toContain('AWS::SageMaker::Endpoint');
  });

  test(`no unsuppressed findings in cdk-nag's ${NAG_PACKS.join(', ')} packs`, () => {
    const app = testApp({ nag: true });
    new GatedDeploySageMakerStack(app, 'TunedIrisSageMaker', { alarmEmails: ['ml-team@example.com'] });
    expect(nagFindings(app)).toEqual([]);
  });
});

describe('on Kubernetes', () => {
  const synth = (build: (app: ReturnType<typeof Testing.app>) => unknown) => capturingConsole(() => {
    const app = Testing.app();
    build(app);
    return app.charts.flatMap((c) => Testing.synth(c)) as Json[];
  });

  test('Kubeflow: the pipeline, its MLflow server and the KServe endpoint it hands the registered model to; valid manifests', () => {
    const { result: objects } = synth((app) => new GatedDeployKubeflowChart(app, 'tuned'));
    const kinds = objects.map((o) => o.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Pipeline', 'PipelineVersion', 'InferenceService', 'StatefulSet']));
    const version = JSON.stringify(objects.find((o) => o.kind === 'PipelineVersion'));
    expect(version).toContain('kubeflow.org/v1beta1');
    expect(version).toContain('MLFLOW_TRACKING_URI');
    expect(objects.find((o) => o.kind === 'InferenceService')!.metadata.name).toBe('iris-tuned');
    expect(validateManifests(objects)).toEqual([]);
  });

  test('Argo: the WorkflowTemplate runs a Katib Experiment whose trials log to the MLflow server; valid manifests', () => {
    const { result: objects } = synth((app) => new GatedDeployArgoChart(app, 'tuned'));
    const template = JSON.stringify(objects.find((o) => o.kind === 'WorkflowTemplate'));
    expect(template).toContain('\\"kind\\":\\"Experiment\\"');
    expect(template).toContain('\\"name\\":\\"MLFLOW_TRACKING_URI\\",\\"value\\":\\"http://mlflow.ml.svc:5000\\"');
    expect(objects.filter((o) => o.kind === 'InferenceService')).toEqual([]);
    expect(validateManifests(objects)).toEqual([]);
  });
});
