import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { ArgoWorkflows, ArgoWorkflowsProps, ArgoVersion, ArtifactRepository, NetworkEndpoint, PodGcStrategy, SynthWarnings } from '../../../constructs/k8s';
import { argoDefinition, kubernetesDefinition, podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { errorOf } from '../../support/errors';

// Synth warnings are asserted through SynthWarnings.of; their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

const minio = () => ArtifactRepository.s3({
  bucket: 'mlops',
  endpoint: 'minio.minio.svc.cluster.local:9000',
  insecure: true,
  accessKeySecret: { name: 'minio-credentials', key: 'accesskey' },
  secretKeySecret: { name: 'minio-credentials', key: 'secretkey' },
});

function synth(props: Partial<ArgoWorkflowsProps> = {}, namespace?: string): { objects: Json[]; argo: ArgoWorkflows } {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  const argo = new ArgoWorkflows(chart, 'Argo', { artifactRepository: minio(), ...props });
  return { objects: Testing.synth(chart), argo };
}

function find(objects: Json[], kind: string, name?: string): Json {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) {
    throw new Error(`no ${kind} ${name ?? ''}`);
  }
  return found;
}

describe('ArgoWorkflows with defaults', () => {
  const { objects, argo } = synth();

  test('snapshot', () => {
    expect(YAML.stringify(objects)).toMatchSnapshot();
  });

  test('every manifest validates, unknown fields rejected; every pod is restricted with requests and limits', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => podSecurityProblems(o))).toEqual([]);
    expect(objects.flatMap((o) => resourceProblems(o))).toEqual([]);
  });

  test("a namespaced install in 'argo', running v4.1.2", () => {
    expect(argo.namespace).toBe('argo');
    expect(argo.argoVersion).toBe(ArgoVersion.V4);
    const container = find(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.image).toBe('quay.io/argoproj/workflow-controller:v4.1.2');
    expect(container.args).toEqual(['--configmap', 'argo-workflow-controller-configmap', '--executor-image', 'quay.io/argoproj/argoexec:v4.1.2', '--namespaced']);
    expect(container.env).toContainEqual({ name: 'LEADER_ELECTION_DISABLE', value: 'true' });
  });

  test('the minimal CRDs are cluster-scoped, keep bodies as given, and cover what the controller watches', () => {
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name)).toEqual(['workflows', 'workflowtemplates', 'cronworkflows', 'workflowtaskresults', 'workflowtasksets', 'workflowartifactgctasks'].map((p) => `${p}.argoproj.io`));
    expect(crds.every((c) => c.metadata.namespace === undefined)).toBe(true);
    const workflow = crds[0].spec.versions[0].schema.openAPIV3Schema;
    expect(workflow.properties.spec).toEqual({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-map-type': 'atomic' });
    // The executor writes phase, message, outputs and progress at the top level of a WorkflowTaskResult.
    expect(Object.keys(crds[3].spec.versions[0].schema.openAPIV3Schema.properties).sort()).toEqual(['apiVersion', 'kind', 'message', 'metadata', 'outputs', 'phase', 'progress']);
  });

  test('least privilege: no wildcards, no cluster roles, Secrets only by name, no PVCs, leases or PDBs', () => {
    const rules: Json[] = find(objects, 'Role').rules;
    expect(objects.filter((o) => /^Cluster(Role|RoleBinding)$/.test(o.kind))).toEqual([]);
    for (const rule of rules) {
      expect(rule.verbs).not.toContain('*');
      expect(rule.resources).not.toContain('*');
    }
    const resources = rules.flatMap((r) => r.resources);
    for (const absent of ['persistentvolumeclaims', 'leases', 'poddisruptionbudgets']) {
      expect(resources).not.toContain(absent);
    }
    expect(rules.filter((r) => r.resources.includes('secrets'))).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['minio-credentials'], verbs: ['get'] }]);
    expect(find(objects, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-workflow-controller', namespace: 'argo' }]);
  });

  test('the controller configuration is what Argo reads: each key validated against Argo and Kubernetes types', () => {
    const data: { [key: string]: string } = find(objects, 'ConfigMap', 'argo-workflow-controller-configmap').data;
    expect(Object.keys(data).sort()).toEqual(['artifactRepository', 'executor', 'metricsConfig', 'parallelism', 'workflowDefaults']);
    const repository = YAML.parse(data.artifactRepository);
    expect(repository.s3).toEqual({
      bucket: 'mlops',
      endpoint: 'minio.minio.svc.cluster.local:9000',
      insecure: true,
      accessKeySecret: { name: 'minio-credentials', key: 'accesskey' },
      secretKeySecret: { name: 'minio-credentials', key: 'secretkey' },
    });
    for (const version of ['v3.7.18', 'v4.1.2'] as const) {
      const validRepository = argoDefinition(version, 'ArtifactRepository');
      expect([validRepository(repository), validRepository.errors]).toEqual([true, null]);
      const workflow = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: {}, ...YAML.parse(data.workflowDefaults) };
      const validWorkflow = argoDefinition(version, 'Workflow');
      expect([validWorkflow(workflow), validWorkflow.errors]).toEqual([true, null]);
    }
    expect(YAML.parse(data.workflowDefaults).spec).toEqual({ podGC: { strategy: 'OnPodSuccess' }, ttlStrategy: { secondsAfterCompletion: 604800 } });
    const executor = { name: 'executor', ...YAML.parse(data.executor) };
    const validContainer = kubernetesDefinition('io.k8s.api.core.v1.Container');
    expect([validContainer(executor), validContainer.errors]).toEqual([true, null]);
    expect(executor.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(data.parallelism).toBe('10');
    expect(YAML.parse(data.metricsConfig)).toEqual({ enabled: true, path: '/metrics', port: 9090 });
  });

  test('credentials appear only as Secret references', () => {
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/accessKey"\s*:\s*"(?!accesskey)/);
    expect(text).toContain('minio-credentials');
  });

  test('monitoring: a ServiceMonitor over HTTPS for the metrics Service, alerts for failed and stuck workflows', () => {
    const service = find(objects, 'Service');
    const monitor = find(objects, 'ServiceMonitor');
    expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'workflow-controller-metrics' });
    expect(service.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'workflow-controller', 'app.kubernetes.io/instance': 'argo' });
    expect(find(objects, 'Deployment').spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', scheme: 'https', interval: '30s', honorLabels: true, tlsConfig: { insecureSkipVerify: true } }]);
    const rules = find(objects, 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: Json) => [r.alert, r.for])).toEqual([
      ['ArgoWorkflowFailed', undefined],
      ['ArgoWorkflowStuck', '60m'],
      ['ArgoPodsPending', '60m'],
      ['ArgoWorkflowControllerDown', '10m'],
    ]);
    expect(rules[0].expr).toBe('sum by (namespace) (increase(argo_workflows_total_count{job="argo-workflow-controller-metrics", phase=~"Failed|Error"}[15m])) > 0');
  });

  test('network: without apiServer the controller may reach DNS only (no address is guessed), and synth warns', () => {
    expect(find(objects, 'NetworkPolicy', 'argo-workflow-controller-deny-all').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'workflow-controller', 'app.kubernetes.io/instance': 'argo' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    const allow = find(objects, 'NetworkPolicy', 'argo-workflow-controller-allow').spec;
    expect(allow.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 9090 }] }]);
    expect(allow.egress.map((e: Json) => e.ports.map((p: Json) => p.port))).toEqual([[53, 53]]);
    expect(SynthWarnings.of(argo)).toEqual([expect.stringMatching(/^\[test\/Argo\] NetworkPolicy 'argo-workflow-controller-allow' allows no egress to the Kubernetes API server .* set apiServer: NetworkEndpoint\.apiServer\('<CIDR>'\)/)]);
  });
});

test('options: chart namespace, v3.7, parallelism, pod GC, TTL, no CRDs, no monitoring, custom scrapers and API server', () => {
  const { objects, argo } = synth({
    version: 'v3.7.18',
    parallelism: 3,
    podGc: PodGcStrategy.ON_WORKFLOW_SUCCESS,
    workflowTtlDays: 1,
    installCrds: false,
    monitoring: false,
    prometheus: NetworkEndpoint.pods({ namespace: 'observability', podLabels: { app: 'prometheus' }, ports: [9090] }),
    apiServer: NetworkEndpoint.apiServer('10.0.0.1/32'),
  }, 'pipelines');
  expect(argo.namespace).toBe('pipelines');
  expect(argo.argoVersion).toBe(ArgoVersion.V3_7);
  expect(objects.map((o) => o.kind)).not.toContain('CustomResourceDefinition');
  expect(objects.map((o) => o.kind)).not.toContain('ServiceMonitor');
  const data = find(objects, 'ConfigMap').data;
  expect(data.parallelism).toBe('3');
  expect(YAML.parse(data.workflowDefaults).spec).toEqual({ podGC: { strategy: 'OnWorkflowSuccess' }, ttlStrategy: { secondsAfterCompletion: 86400 } });
  const allow = find(objects, 'NetworkPolicy', 'argo-workflow-controller-allow').spec;
  expect(allow.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: { matchLabels: { app: 'prometheus' } } }]);
  expect(allow.egress[1].to).toEqual([{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  expect(validateManifests(objects)).toEqual([]);
});

test('IRSA-style credentials: no Secret access at all', () => {
  const { objects } = synth({ artifactRepository: ArtifactRepository.s3({ bucket: 'ml-artifacts', region: 'eu-west-1', useSdkCreds: true }) });
  expect(find(objects, 'Role').rules.flatMap((r: Json) => r.resources)).not.toContain('secrets');
  expect(YAML.parse(find(objects, 'ConfigMap').data.artifactRepository).s3).toEqual({ bucket: 'ml-artifacts', endpoint: 's3.amazonaws.com', region: 'eu-west-1', insecure: false, useSDKCreds: true });
});

describe('bad input', () => {
  test('an Argo release before 3.6 (no CronWorkflow schedules) is refused', () => {
    expect(errorOf(() => synth({ version: 'v3.5.2' }))).toBe("ArgoWorkflows 'Argo': version 'v3.5.2' is not supported (allowed: Argo Workflows 3.6 or later, e.g. 'v3.7.18' or 'v4.1.2'; CronWorkflow 'schedules' needs 3.6)");
  });

  test('an invalid namespace and parallelism are refused together', () => {
    expect(errorOf(() => synth({ namespace: 'Bad_NS', parallelism: 0 }))).toBe(
      "ArgoWorkflows 'Argo':\n  - namespace 'Bad_NS' is invalid (allowed: a DNS-1123 label: lowercase letters, digits and '-', at most 63 chars)\n  - parallelism 0 is invalid (allowed: a whole number >= 1)",
    );
  });

  test('artifact repository credentials: both keys or SDK credentials, no scheme in the endpoint', () => {
    expect(errorOf(() => ArtifactRepository.s3({ bucket: 'b-1', accessKeySecret: { name: 's', key: 'k' } }))).toBe('ArtifactRepository.s3: give both accessKeySecret and secretKeySecret, or neither');
    expect(errorOf(() => ArtifactRepository.s3({ bucket: 'b-1' }))).toBe("ArtifactRepository.s3: no credentials: reference a Secret with accessKeySecret and secretKeySecret, or set useSdkCreds for the pods' cloud identity");
    expect(errorOf(() => ArtifactRepository.s3({ bucket: 'B', endpoint: 'https://minio:9000', useSdkCreds: true }))).toBe(
      'ArtifactRepository.s3:\n  - bucket "B" is not an S3 bucket name (3-63 lowercase letters, digits, \'.\' and \'-\')\n  - endpoint \'https://minio:9000\' has a scheme; give host[:port] and set insecure for plain HTTP',
    );
  });
});

test('the artifact store endpoint: in-cluster Services become a namespace peer; others have none unless named', () => {
  expect(ArtifactRepository.s3({ bucket: 'b-1', endpoint: 'minio.storage.svc:9000', useSdkCreds: true }).network!._peers()).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'storage' } }, podSelector: {} }]);
  expect(ArtifactRepository.s3({ bucket: 'b-1', endpoint: 'storage.example.com', useSdkCreds: true }).network).toBeUndefined();
  const named = ArtifactRepository.s3({ bucket: 'b-1', endpoint: 'storage.example.com', useSdkCreds: true, network: NetworkEndpoint.ipBlock('203.0.113.0/24', [443]) }).network!;
  expect([named._peers(), named.ports]).toEqual([[{ ipBlock: { cidr: '203.0.113.0/24' } }], [443]]);
});

describe("steps read s3:// data in the controller's artifact bucket", () => {
  const { Code, DataSource, Pipeline, Step } = require('../../../lib') as typeof import('../../../lib');
  const { Engine, MlPipeline } = require('../../../constructs/k8s') as typeof import('../../../constructs/k8s');
  const code = Code.fromDirectory(require('path').join(__dirname, '..', '..', 'fixtures', 'steps'));

  function chartReading(uri: string): Chart {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
    const argo = new ArgoWorkflows(chart, 'Argo', { artifactRepository: minio() });
    const pipeline = new Pipeline('reads-data');
    pipeline.addStep(Step.script('read', { code, entry: 'noop.py', inputs: { raw: DataSource.fromUri(uri) } }));
    new MlPipeline(chart, 'P', { pipeline, engine: Engine.argo({ controller: argo, defaultImage: 'python:3.12-slim' }) });
    return chart;
  }

  test('a URI in the bucket becomes a key-only input artifact of the step', () => {
    const template = Testing.synth(chartReading('s3://mlops/datasets/iris/')).find((o: Json) => o.kind === 'WorkflowTemplate');
    const read = template.spec.templates.find((t: Json) => t.name === 'read');
    expect(read.inputs.artifacts).toEqual([{ name: 'raw', path: '/mlops/inputs/raw', s3: { key: 'datasets/iris' } }]);
    expect(validateManifests([template], { argo: 'v4.1.2' })).toEqual([]);
  });

  test('a URI in another bucket is a synth-time error naming the bucket the repository has', () => {
    expect(errorOf(() => Testing.synth(chartReading('s3://elsewhere/iris/')))).toMatch(/step 'read': input 'raw' reads s3:\/\/elsewhere\/iris\/, in bucket 'elsewhere', but the artifact repository's bucket is 'mlops'/);
  });
});
