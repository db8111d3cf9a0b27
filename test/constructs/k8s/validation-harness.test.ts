import { jsPattern, strict } from '../../support/k8s/schemas';
import { podSecurityProblems, resourceProblems, validateManifest } from '../../support/k8s';

/** The validation harness (test/support/k8s) must fail where a strict apply or admission would. */
type Json = { [key: string]: any };

const restricted = () => ({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
});

function deployment(container: Json = {}, pod: Json = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'app', namespace: 'ml' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          containers: [{ name: 'main', image: 'busybox', resources: { requests: { cpu: 1, memory: '64Mi' }, limits: { cpu: '1', memory: '64Mi' } }, securityContext: restricted(), ...container }],
          ...pod,
        },
      },
    },
  };
}

describe('schema validation rejects misspelt fields', () => {
  test('built-in kinds against the Kubernetes 1.30 OpenAPI, numbers allowed for quantities and ports', () => {
    expect(validateManifest(deployment())).toEqual([]);
    expect(validateManifest(deployment({ imagePullPolicyy: 'Always' }))).toEqual(["Deployment 'app': io.k8s.api.apps.v1.Deployment: /spec/template/spec/containers/0 must NOT have additional properties 'imagePullPolicyy'"]);
    expect(validateManifest({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }], selectr: {} } })).toEqual(["Service 's': io.k8s.api.core.v1.Service: /spec must NOT have additional properties 'selectr'"]);
    expect(validateManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' }, spec: { podSelector: {}, egres: [] } })).toHaveLength(1);
  });

  test('Argo kinds against both CRD versions and JSON Schemas: v4 rejects the removed singular schedule', () => {
    const cron = (spec: Json) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'CronWorkflow', metadata: { name: 'c' }, spec: { workflowSpec: { workflowTemplateRef: { name: 't' } }, ...spec } });
    expect(validateManifest(cron({ schedules: ['0 0 * * *'] }))).toEqual([]);
    expect(validateManifest(cron({ schedule: '0 0 * * *' }))).toEqual([
      "CronWorkflow 'c': Argo Workflows v4.1.2 CRD: /spec must have required property 'schedules'",
      "CronWorkflow 'c': Argo Workflows v4.1.2 CRD: /spec must NOT have additional properties 'schedule'",
      "CronWorkflow 'c': Argo Workflows v4.1.2 JSON Schema: /spec must have required property 'schedules'",
      "CronWorkflow 'c': Argo Workflows v4.1.2 JSON Schema: /spec must NOT have additional properties 'schedule'",
    ]);
    const template = { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: { name: 't' }, spec: { entrypoint: 'a', templates: [{ name: 'a', contianer: { image: 'x' } }] } };
    expect(validateManifest(template)).toHaveLength(4);
  });

  test('Prometheus Operator kinds (the Go-only (?i) pattern rewritten) and Kubeflow kinds', () => {
    const rule = (group: Json) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up == 0' }], ...group }] } });
    expect(validateManifest(rule({ partial_response_strategy: 'WARN' }))).toEqual([]);
    expect(validateManifest(rule({ partial_response_strategy: 'sometimes' }))).toHaveLength(1);
    expect(validateManifest(rule({ intervall: '1m' }))).toEqual(["PrometheusRule 'r': Prometheus Operator v0.93.0 CRD: /spec/groups/0 must NOT have additional properties 'intervall'"]);
    expect(validateManifest({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm' }, spec: { selector: {}, endpoints: [{ port: 'm', shceme: 'https' }] } })).toHaveLength(1);
    expect(validateManifest({ apiVersion: 'pipelines.kubeflow.org/v2beta1', kind: 'PipelineVersion', metadata: { name: 'v' }, spec: { pipelineSpec: {}, pipelineNmae: 'p' } })).toHaveLength(1);
    // ScheduledWorkflow's CRD requires a status: a manifest without one is refused (PROVENANCE.md).
    expect(validateManifest({ apiVersion: 'kubeflow.org/v1beta1', kind: 'ScheduledWorkflow', metadata: { name: 's' }, spec: {} })).toEqual(["ScheduledWorkflow 's': Kubeflow Pipelines 2.17.0 CRD: / must have required property 'status'"]);
  });

  test('an unknown kind fails, never passes', () => {
    expect(validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual(["Widget 'w': no schema for apiVersion 'example.com/v1' kind 'Widget'; an unknown kind fails validation"]);
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'd' } })).toHaveLength(1);
    expect(validateManifest({ kind: 'ConfigMap', metadata: { name: 'c' } })).toEqual(["ConfigMap 'c': not a Kubernetes object (apiVersion and kind are required)"]);
  });

  test('names, labels and namespaces the API server would refuse', () => {
    expect(validateManifest({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', labels: { 'a/b/c': 'x', 'ok': 'not ok' } } })).toEqual([
      "ConfigMap 'Bad_Name': metadata.name 'Bad_Name' is not a DNS-1123 subdomain",
      "ConfigMap 'Bad_Name': metadata.labels: key 'a/b/c' is not a qualified name",
      "ConfigMap 'Bad_Name': metadata.labels: value \"not ok\" of 'ok' is not a valid label value",
    ]);
    expect(validateManifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'c', namespace: 'ml' }, rules: [] })).toEqual(["ClusterRole 'c': metadata.namespace 'ml' is set on a cluster-scoped ClusterRole"]);
  });
});

describe("Pod Security 'restricted'", () => {
  test('a restricted pod passes', () => {
    expect(podSecurityProblems(deployment({}, { securityContext: { runAsUser: 1000 } }))).toEqual([]);
  });

  test('a privileged pod, escalation, added capabilities, root, host namespaces and hostPath are each flagged', () => {
    const bad = deployment(
      { securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] }, runAsUser: 0, seccompProfile: { type: 'Unconfined' } } },
      { hostNetwork: true, volumes: [{ name: 'host', hostPath: { path: '/' } }] },
    );
    expect(podSecurityProblems(bad)).toEqual([
      "Deployment 'app': hostNetwork is true",
      "Deployment 'app': volume 'host' of type hostPath is not allowed (restricted allows configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret)",
      "Deployment 'app' container 'main': privileged",
      "Deployment 'app' container 'main': allowPrivilegeEscalation is not false",
      "Deployment 'app' container 'main': capabilities.drop does not include ALL",
      "Deployment 'app' container 'main': adds capabilities SYS_ADMIN",
      "Deployment 'app' container 'main': runAsNonRoot is not true (container or pod)",
      "Deployment 'app' container 'main': runAsUser is 0 (root)",
      "Deployment 'app' container 'main': seccompProfile is Unconfined (needs RuntimeDefault or Localhost on the container or pod)",
      "Deployment 'app' container 'main': readOnlyRootFilesystem is not true",
    ]);
  });

  test("Argo templates: the main container, and Argo's init and wait containers through podSpecPatch", () => {
    const template = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 't' },
      spec: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, templates: [{ name: 's', container: { image: 'x', securityContext: restricted() } }] },
    };
    expect(podSecurityProblems(template)).toEqual([
      "WorkflowTemplate 't' template 's': Argo's 'init' container is not configured by a podSpecPatch, so its security context and resources depend on the controller",
      "WorkflowTemplate 't' template 's': Argo's 'wait' container is not configured by a podSpecPatch, so its security context and resources depend on the controller",
    ]);
    const patched = { ...template, spec: { ...template.spec, podSpecPatch: JSON.stringify({ initContainers: [{ name: 'init', securityContext: restricted() }], containers: [{ name: 'wait', securityContext: { allowPrivilegeEscalation: true } }] }) } };
    expect(podSecurityProblems(patched)).toEqual([
      "WorkflowTemplate 't' template 's' Argo container 'wait': allowPrivilegeEscalation is not false",
      "WorkflowTemplate 't' template 's' Argo container 'wait': capabilities.drop does not include ALL",
      "WorkflowTemplate 't' template 's' Argo container 'wait': readOnlyRootFilesystem is not true",
    ]);
  });
});

test('requests and limits: every container needs cpu and memory in both', () => {
  expect(resourceProblems(deployment())).toEqual([]);
  expect(resourceProblems(deployment({ resources: { requests: { cpu: '1' } } }))).toEqual([
    "Deployment 'app' container 'main': no memory requests",
    "Deployment 'app' container 'main': no cpu limits",
    "Deployment 'app' container 'main': no memory limits",
  ]);
});

test('schema preparation: additionalProperties false only where fields are listed and not preserved; Go (?i) patterns', () => {
  const schema = strict({ type: 'object', description: 'd', properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'properties': { c: {} } }, map: { type: 'object', additionalProperties: { type: 'string' } } } });
  expect(schema).toEqual({
    type: 'object',
    additionalProperties: false,
    properties: {
      a: { type: 'object', additionalProperties: false, properties: { b: { type: 'string' } } },
      free: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'properties': { c: {} } },
      map: { type: 'object', additionalProperties: { type: 'string' } },
    },
  });
  expect(new RegExp(jsPattern('^(?i)(abort|warn)?$')).test('Warn')).toBe(true);
  expect(new RegExp(jsPattern('^(?i)(abort|warn)?$')).test('warning')).toBe(false);
});
