import { App, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { IRIS_IMAGE, IrisArgoChart, IrisKubeflowChart } from '../../../examples/iris/k8s';
import { irisPipeline } from '../../../examples/iris/pipeline';
import { packageCode } from '../../../lib/runtime';
import { podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { validateKubeflowDocument } from '../../support/kubeflow';

// Synth warnings are asserted through SynthWarnings.of; their stderr copy is noise here.
jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

function find(objects: Json[], kind: string, name?: string): Json {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) {
    throw new Error(`no ${kind} ${name ?? ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found;
}

function all(objects: Json[], kind: string): Json[] {
  return objects.filter((o) => o.kind === kind);
}

const irisCode = packageCode(irisPipeline().allSteps().map((s) => (s as { code?: never }).code).find((c) => c !== undefined)!);

describe('Iris on Argo Workflows (IrisArgoChart)', () => {
  const objects: Json[] = Testing.synth(new IrisArgoChart(Testing.app(), 'iris-argo'));

  test('snapshot (without the compiled step templates, which test/compile/argo snapshots)', () => {
    const masked = objects.map((o) => (o.kind === 'WorkflowTemplate' ? { ...o, spec: { ...o.spec, templates: '<compileArgo output>' } } : o));
    expect(YAML.stringify(masked)).toMatchSnapshot();
  });

  test('every manifest validates (Kubernetes 1.30, Argo v4.1.2 CRDs and JSON Schema, Prometheus Operator), unknown fields rejected', () => {
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
  });

  test("every pod passes Pod Security 'restricted' and has requests and limits", () => {
    expect(objects.flatMap((o) => podSecurityProblems(o))).toEqual([]);
    expect(objects.flatMap((o) => resourceProblems(o))).toEqual([]);
  });

  test('the objects: CRDs first, the controller, the code, the pipeline, its RBAC, network policies and document', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'CustomResourceDefinition/workflows.argoproj.io',
      'CustomResourceDefinition/workflowtemplates.argoproj.io',
      'CustomResourceDefinition/cronworkflows.argoproj.io',
      'CustomResourceDefinition/workflowtaskresults.argoproj.io',
      'CustomResourceDefinition/workflowtasksets.argoproj.io',
      'CustomResourceDefinition/workflowartifactgctasks.argoproj.io',
      'ServiceAccount/argo-workflow-controller',
      'Role/argo-workflow-controller',
      'RoleBinding/argo-workflow-controller',
      'ConfigMap/argo-workflow-controller-configmap',
      'Deployment/argo-workflow-controller',
      'Service/argo-workflow-controller-metrics',
      'ServiceMonitor/argo-workflow-controller',
      'PrometheusRule/argo-workflows',
      'NetworkPolicy/argo-workflow-controller-deny-all',
      'NetworkPolicy/argo-workflow-controller-allow',
      expect.stringMatching(/^ConfigMap\/iris-code-[0-9a-f]{10}$/),
      'WorkflowTemplate/iris',
      'CronWorkflow/iris',
      'ConfigMap/iris-memo',
      'ServiceAccount/iris-pipeline',
      'Role/iris-pipeline',
      'RoleBinding/iris-pipeline',
      'NetworkPolicy/iris-steps-deny-all',
      'NetworkPolicy/iris-steps-allow',
      'ConfigMap/iris-pipeline-document',
    ]);
    expect(objects.filter((o) => o.kind !== 'CustomResourceDefinition').every((o) => o.metadata.namespace === 'ml')).toBe(true);
  });

  test('the code ConfigMap holds the code archive under code.zip, immutable, and the steps mount it', () => {
    const code = all(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('iris-code-'))!;
    expect(code.immutable).toBe(true);
    expect(Buffer.from(code.binaryData['code.zip'], 'base64').equals(irisCode)).toBe(true);
    const template = find(objects, 'WorkflowTemplate');
    expect(template.spec.volumes[0]).toEqual({ name: expect.any(String), configMap: { name: code.metadata.name } });
  });

  test('cached steps memoize into the pipeline cache ConfigMap, which the controller recognises by its label', () => {
    const memo = find(objects, 'ConfigMap', 'iris-memo');
    expect(memo.metadata.labels['workflows.argoproj.io/configmap-type']).toBe('Cache');
    expect(memo.data).toBeUndefined();
    const train = find(objects, 'WorkflowTemplate').spec.templates.find((t: Json) => t.name === 'train');
    expect(train.memoize.cache).toEqual({ configMap: { name: 'iris-memo' } });
  });

  test('the pipeline pods run as the pipeline service account, which may only report task results', () => {
    expect(find(objects, 'WorkflowTemplate').spec.serviceAccountName).toBe('iris-pipeline');
    expect(find(objects, 'Role', 'iris-pipeline').rules).toEqual([{ apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] }]);
    expect(find(objects, 'RoleBinding', 'iris-pipeline').subjects).toEqual([{ kind: 'ServiceAccount', name: 'iris-pipeline', namespace: 'ml' }]);
  });

  test('step pods: default deny, then DNS, the API server the example names and the in-cluster MinIO only', () => {
    const deny = find(objects, 'NetworkPolicy', 'iris-steps-deny-all');
    expect(deny.spec).toEqual({ podSelector: { matchLabels: { 'mlops.cdk.io/pipeline': 'iris' } }, policyTypes: ['Ingress', 'Egress'] });
    const allow = find(objects, 'NetworkPolicy', 'iris-steps-allow');
    expect(allow.spec.policyTypes).toEqual(['Egress']);
    expect(allow.spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ ipBlock: { cidr: '172.18.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'minio' } }, podSelector: {} }], ports: [{ protocol: 'TCP', port: 9000 }] },
    ]);
    // The policies select the pods the WorkflowTemplate labels.
    expect(find(objects, 'WorkflowTemplate').spec.podMetadata.labels['mlops.cdk.io/pipeline']).toBe('iris');
  });

  test('the steps run the realistic default image, scheduled daily at 03:00', () => {
    const template = find(objects, 'WorkflowTemplate');
    const images = new Set(template.spec.templates.filter((t: Json) => t.container).map((t: Json) => t.container.image));
    expect([...images]).toEqual([IRIS_IMAGE]);
    expect(find(objects, 'CronWorkflow').spec.schedules).toEqual(['0 3 * * *']);
  });
});

/**
 * The chart with the compiled IR left out (test/compile/kubeflow snapshots it) and the names that
 * hash it masked, so this snapshot follows the construct, not the compiler.
 */
function withoutIr(objects: Json[]): string {
  const version = find(objects, 'PipelineVersion').metadata.name as string;
  const job = all(objects, 'Job')[0].metadata.name as string;
  const masked = objects.map((o) => (o.kind === 'PipelineVersion' ? { ...o, spec: { ...o.spec, pipelineSpec: '<compileKubeflow output>', platformSpec: '<compileKubeflow output>' } } : o));
  return YAML.stringify(masked).split(version).join('iris-<IR hash>').split(job).join('iris-schedule-<config hash>').replace(/"fingerprint": "[0-9a-f]{10}"/, '"fingerprint": "<config hash>"');
}

describe('Iris on Kubeflow Pipelines (IrisKubeflowChart)', () => {
  const objects: Json[] = Testing.synth(new IrisKubeflowChart(Testing.app(), 'iris-kubeflow'));

  test('snapshot (without the compiled IR, which test/compile/kubeflow snapshots)', () => {
    expect(withoutIr(objects)).toMatchSnapshot();
  });

  test('every manifest validates (Kubernetes 1.30, KFP 2.17.0 CRDs), unknown fields rejected', () => {
    expect(validateManifests(objects)).toEqual([]);
  });

  test('the embedded IR is valid KFP v2 IR (protobuf decoding with unknown fields rejected, references resolved)', () => {
    const version = find(objects, 'PipelineVersion');
    expect(validateKubeflowDocument({ pipelineSpec: version.spec.pipelineSpec, platformSpec: version.spec.platformSpec })).toEqual([]);
  });

  test("every pod we create passes Pod Security 'restricted' and has requests and limits", () => {
    expect(objects.flatMap((o) => podSecurityProblems(o))).toEqual([]);
    expect(objects.flatMap((o) => resourceProblems(o))).toEqual([]);
  });

  test('Pipeline, then a content-named PipelineVersion referring to it, in the kubeflow namespace', () => {
    const pipeline = find(objects, 'Pipeline');
    const version = find(objects, 'PipelineVersion');
    expect(pipeline.metadata).toMatchObject({ name: 'iris', namespace: 'kubeflow' });
    expect(pipeline.spec).toEqual({ displayName: 'iris', description: 'Trains and registers an Iris species classifier' });
    expect(version.metadata.name).toMatch(/^iris-[0-9a-f]{10}$/);
    expect(version.spec.pipelineName).toBe('iris');
    expect(objects.indexOf(pipeline)).toBeLessThan(objects.indexOf(version));
    const codeMap = all(objects, 'ConfigMap').find((c) => c.metadata.name.startsWith('iris-code-'))!;
    expect(JSON.stringify(version.spec.platformSpec)).toContain(codeMap.metadata.name);
  });

  test('the schedule is a Job that keeps a recurring run for this version, with its own least-privilege account', () => {
    const job = all(objects, 'Job')[0];
    expect(job.metadata.name).toMatch(/^iris-schedule-[0-9a-f]{10}$/);
    const config = JSON.parse(find(objects, 'ConfigMap', 'iris-schedule').data['recurring-run.json']);
    expect(config).toMatchObject({
      pipelineName: 'iris',
      pipelineVersionName: find(objects, 'PipelineVersion').metadata.name,
      namespace: 'kubeflow',
      trigger: { cron_schedule: { cron: '0 0 3 * * *' } },
      parameters: { minAccuracy: 0.9, nEstimators: 100 },
      serviceAccount: 'iris-pipeline',
    });
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('iris-scheduler');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.volumes[1].projected.sources[0].serviceAccountToken).toEqual({ audience: 'pipelines.kubeflow.org', expirationSeconds: 3600, path: 'token' });
    expect(find(objects, 'Role', 'iris-scheduler').rules).toEqual([
      { apiGroups: ['pipelines.kubeflow.org'], resources: ['pipelines', 'pipelineversions'], verbs: ['get', 'list'] },
      { apiGroups: ['pipelines.kubeflow.org'], resources: ['recurringruns'], verbs: ['get', 'list', 'create', 'delete'] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'iris-scheduler-allow').spec.egress[1]).toEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubeflow' } }, podSelector: {} }],
      ports: [8080, 8333, 8887, 8888, 9000].map((port) => ({ protocol: 'TCP', port })),
    });
  });

  test('the run service account may read what the KFP launcher reads, by name', () => {
    expect(find(objects, 'Role', 'iris-pipeline').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['kfp-launcher'], verbs: ['get'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['mlpipeline-minio-artifact'], verbs: ['get'] },
      { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
    ]);
  });
});

test('synthesis is deterministic: two apps give byte-identical YAML', () => {
  const synth = (app: App) => YAML.stringify([...Testing.synth(new IrisArgoChart(app, 'a')), ...Testing.synth(new IrisKubeflowChart(app, 'k'))]);
  expect(synth(Testing.app())).toBe(synth(Testing.app()));
});
