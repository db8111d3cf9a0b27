import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { ArgoWorkflows, ArtifactRepository, Engine, MlPipeline, MlPipelineProps, NetworkEndpoint } from '../../../constructs/k8s';
import { Code, Pipeline, Schedule, Step } from '../../../lib';
import { validateManifests } from '../../support/k8s';
import { errorOf } from '../../support/errors';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const code = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps'));
const IMAGE = 'python:3.12-slim';
const apiServer = NetworkEndpoint.apiServer('10.0.0.1/32');

function pipeline(name: string): Pipeline {
  const p = new Pipeline(name);
  p.addStep(Step.script('one', { code, entry: 'noop.py' }));
  return p;
}

function add(chart: Chart, id: string, props: Partial<MlPipelineProps> & { pipeline: Pipeline }): MlPipeline {
  return new MlPipeline(chart, id, { engine: Engine.argo({ defaultImage: IMAGE, artifactStore: NetworkEndpoint.ipBlock('10.1.0.0/16', [9000]) }), apiServer, ...props });
}

const minio = () => ArtifactRepository.s3({ bucket: 'mlops', endpoint: 'minio.minio.svc:9000', insecure: true, useSdkCreds: true });

describe('two MlPipelines in one chart', () => {
  test('names that differ only in case: one error, from the later construct, naming both paths, the eight objects and the lowercasing', () => {
    const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
    add(chart, 'Upper', { pipeline: pipeline('Churn') });
    add(chart, 'Lower', { pipeline: pipeline('churn') });
    const message = errorOf(() => Testing.synth(chart));
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}\[ml\/Lower\] MlPipeline 'Lower' \('ml\/Lower'\) and MlPipeline 'Upper' \('ml\/Upper'\) both emit 8 objects with the same API group, kind, namespace and name: /);
    for (const object of [
      /ConfigMap 'churn-code-[0-9a-f]{10}' in namespace 'ml' \(v1\)/,
      /WorkflowTemplate 'churn' in namespace 'ml' \(argoproj\.io\/v1alpha1\)/,
      /ServiceAccount 'churn-pipeline' in namespace 'ml' \(v1\)/,
      /Role 'churn-pipeline' in namespace 'ml' \(rbac\.authorization\.k8s\.io\/v1\)/,
      /RoleBinding 'churn-pipeline' in namespace 'ml'/,
      /NetworkPolicy 'churn-steps-deny-all' in namespace 'ml' \(networking\.k8s\.io\/v1\)/,
      /NetworkPolicy 'churn-steps-allow' in namespace 'ml'/,
      /ConfigMap 'churn-pipeline-document' in namespace 'ml' \(v1\)/,
    ]) {
      expect(lines[0]).toMatch(object);
    }
    expect(lines[0]).toContain("`kubectl apply` keeps only one of each, silently. Both derive their names from the base name 'churn': this one from the pipeline name 'churn', lowercased, the other from the pipeline name 'Churn', lowercased ('churn' and 'Churn' differ only in case, and Kubernetes names are lowercase). Give each MlPipeline its own base name with props.name (e.g. name: 'churn-2'), or put them in different namespaces.");
  });

  test('a shared explicit name: the message names props.name as the origin of both', () => {
    const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
    add(chart, 'A', { pipeline: pipeline('churn'), name: 'models', schedule: Schedule.daily() });
    add(chart, 'B', { pipeline: pipeline('iris'), name: 'models', schedule: Schedule.daily() });
    const message = errorOf(() => Testing.synth(chart));
    expect(message).toContain("[ml/B] MlPipeline 'B' ('ml/B') and MlPipeline 'A' ('ml/A') both emit 9 objects");
    expect(message).toContain("CronWorkflow 'models' in namespace 'ml' (argoproj.io/v1alpha1)");
    expect(message).toContain("Both derive their names from the base name 'models': this one from props.name 'models', the other from props.name 'models'.");
    expect(message).not.toContain('differ only in case');
  });

  test('distinct names, or the same name in two namespaces, synthesize', () => {
    const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
    add(chart, 'A', { pipeline: pipeline('churn') });
    add(chart, 'B', { pipeline: pipeline('Churn'), name: 'churn-v2' });
    add(chart, 'C', { pipeline: pipeline('churn'), namespace: 'staging' });
    const objects: Json[] = Testing.synth(chart);
    expect(validateManifests(objects)).toEqual([]);
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

test('across the charts of one app: the same namespace collides, the message names both paths', () => {
  const app = Testing.app();
  add(new Chart(app, 'team-a', { namespace: 'ml' }), 'Churn', { pipeline: pipeline('churn') });
  const other = new Chart(app, 'team-b', { namespace: 'ml' });
  add(other, 'Churn', { pipeline: pipeline('CHURN') });
  const message = errorOf(() => Testing.synth(other));
  expect(message).toContain("[team-b/Churn] MlPipeline 'Churn' ('team-b/Churn') and MlPipeline 'Churn' ('team-a/Churn') both emit 8 objects");
  expect(message).toContain("this one from the pipeline name 'CHURN', lowercased, the other from the pipeline name 'churn', lowercased ('CHURN' and 'churn' differ only in case, and Kubernetes names are lowercase)");
  expect(errorOf(() => app.synth())).toContain("MlPipeline 'Churn' ('team-b/Churn') and MlPipeline 'Churn' ('team-a/Churn')");
});

test('the same pipeline in charts of different namespaces synthesizes', () => {
  const app = Testing.app();
  add(new Chart(app, 'prod', { namespace: 'prod' }), 'Churn', { pipeline: pipeline('churn') });
  const staging = new Chart(app, 'staging', { namespace: 'staging' });
  add(staging, 'Churn', { pipeline: pipeline('churn') });
  expect(Testing.synth(staging).map((o: Json) => o.metadata.namespace)).toEqual(expect.arrayContaining(['staging']));
});

describe('ArgoWorkflows: shared by design, one owner', () => {
  test('two installs in one namespace collide on every object, and the fix says to share one', () => {
    const chart = new Chart(Testing.app(), 'argo', { namespace: 'ml' });
    new ArgoWorkflows(chart, 'First', { artifactRepository: minio(), apiServer });
    new ArgoWorkflows(chart, 'Second', { artifactRepository: minio(), apiServer });
    const message = errorOf(() => Testing.synth(chart));
    expect(message).toContain("[argo/Second] ArgoWorkflows 'Second' ('argo/Second') and ArgoWorkflows 'First' ('argo/First') both emit 16 objects");
    expect(message).toContain("Deployment 'argo-workflow-controller' in namespace 'ml' (apps/v1)");
    expect(message).toContain("CustomResourceDefinition 'workflows.argoproj.io' (cluster-scoped) (apiextensions.k8s.io/v1)");
    expect(message).toContain('create one ArgoWorkflows per namespace and pass it to every Engine.argo({ controller })');
  });

  test('installs in two namespaces share the cluster-scoped CRDs: only those collide, until one sets installCrds: false', () => {
    const app = Testing.app();
    new ArgoWorkflows(new Chart(app, 'a', { namespace: 'team-a' }), 'Argo', { artifactRepository: minio(), apiServer });
    const b = new Chart(app, 'b', { namespace: 'team-b' });
    new ArgoWorkflows(b, 'Argo', { artifactRepository: minio(), apiServer });
    const message = errorOf(() => Testing.synth(b));
    expect(message).toContain("[b/Argo] ArgoWorkflows 'Argo' ('b/Argo') and ArgoWorkflows 'Argo' ('a/Argo') both emit 6 objects");
    expect(message).toContain('let one install the CRDs (cluster-scoped) and set installCrds: false on the others');

    const fixed = Testing.app();
    new ArgoWorkflows(new Chart(fixed, 'a', { namespace: 'team-a' }), 'Argo', { artifactRepository: minio(), apiServer });
    const c = new Chart(fixed, 'b', { namespace: 'team-b' });
    new ArgoWorkflows(c, 'Argo', { artifactRepository: minio(), apiServer, installCrds: false });
    expect(validateManifests(Testing.synth(c))).toEqual([]);
  });

  test('pipelines reference the one install instead of duplicating it', () => {
    const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
    const controller = new ArgoWorkflows(chart, 'Argo', { artifactRepository: minio(), apiServer });
    new MlPipeline(chart, 'Churn', { pipeline: pipeline('churn'), engine: Engine.argo({ controller, defaultImage: IMAGE }), apiServer });
    new MlPipeline(chart, 'Iris', { pipeline: pipeline('iris'), engine: Engine.argo({ controller, defaultImage: IMAGE }), apiServer });
    expect(validateManifests(Testing.synth(chart), { argo: 'v4.1.2' })).toEqual([]);
  });
});

test("a user's own object with a name the pipeline uses is reported, with its path", () => {
  const chart = new Chart(Testing.app(), 'ml', { namespace: 'ml' });
  new ApiObject(chart, 'Mine', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'churn-pipeline' } });
  add(chart, 'Churn', { pipeline: pipeline('churn') });
  expect(errorOf(() => Testing.synth(chart))).toContain("[ml/Churn] MlPipeline 'Churn' ('ml/Churn') and the ApiObject 'ml/Mine' both emit an object with the same API group, kind, namespace and name: ServiceAccount 'churn-pipeline' in namespace 'ml' (v1); `kubectl apply` keeps only one of each, silently. Give each MlPipeline its own base name with props.name (e.g. name: 'churn-2'), or put them in different namespaces.");
});

test('one construct emitting an object twice (a run job named like the Kubeflow schedule) names both object paths', () => {
  const chart = new Chart(Testing.app(), 'kf', { namespace: 'kubeflow' });
  const p = new MlPipeline(chart, 'Churn', { pipeline: pipeline('churn'), engine: Engine.kubeflow({ defaultImage: IMAGE }), apiServer, schedule: Schedule.daily() });
  p.addRunJob('schedule', { schedule: Schedule.daily() });
  expect(errorOf(() => Testing.synth(chart))).toContain("[kf/Churn] MlPipeline 'Churn' emits an object twice: ConfigMap 'churn-schedule' in namespace 'kubeflow' (v1), from 'kf/Churn/ScheduleConfig' and 'kf/Churn/Run-schedule-Config'; `kubectl apply` keeps only one of each, silently.");
});

test('a group, not an apiVersion, identifies an object: a WorkflowTemplate of another argoproj.io version collides, wherever it is in the tree', () => {
  const chart = new Chart(new App(), 'ml', { namespace: 'ml' });
  add(chart, 'Churn', { pipeline: pipeline('churn') });
  new ApiObject(chart, 'Old', { apiVersion: 'argoproj.io/v1beta1', kind: 'WorkflowTemplate', metadata: { name: 'churn' } });
  expect(errorOf(() => Testing.synth(chart))).toContain("and the ApiObject 'ml/Old' both emit an object with the same API group, kind, namespace and name: WorkflowTemplate 'churn' in namespace 'ml' (argoproj.io/v1alpha1)");
});
