import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { SynthWarnings } from '../../../constructs/k8s';
import { CanaryEndpointChart } from '../../../examples/canary-endpoint/k8s';
import { broadEgressProblems, podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';
import { endpointPodSecurityProblems, endpointResourceProblems } from '../../support/k8s/endpoint-pods';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

describe('examples/canary-endpoint on Kubernetes (CanaryEndpointChart)', () => {
  const chart = new CanaryEndpointChart(Testing.app(), 'canary-endpoint');
  const objects: Json[] = Testing.synth(chart);

  test('snapshot (of the pipeline: only the register and hand-off templates, scripts and code masked)', () => {
    const masked = objects.map((o) => {
      if (o.kind === 'WorkflowTemplate') {
        const templates = o.spec.templates
          .filter((t: Json) => t.name.startsWith('register'))
          .map((t: Json) => (t.container ? { ...t, container: { ...t.container, command: [...t.container.command.slice(0, 2), '<script>'] } } : t));
        return { ...o, spec: { ...o.spec, templates } };
      }
      return o.kind === 'ConfigMap' && o.binaryData ? { ...o, binaryData: '<code.zip>' } : o.kind === 'ConfigMap' && o.data?.['pipeline.json'] ? { ...o, data: '<pipeline document>' } : o;
    });
    // Code ConfigMaps are named by content (the Iris steps and the launcher), which this snapshot is not about.
    expect(YAML.stringify(masked).replace(/(iris|mlops)-code-[0-9a-f]{10}/g, '$1-code-<hash>')).toMatchSnapshot();
  });

  test('every manifest validates (Kubernetes 1.30, Argo Workflows v4.1.2, Argo Rollouts, KServe and Prometheus Operator CRDs); pods are restricted, sized, and egress is narrow', () => {
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
    expect(objects.flatMap((o) => [...endpointPodSecurityProblems(o), ...endpointResourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
    // The Iris pipeline's step pods, the hand-off among them.
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o)])).toEqual([]);
  });

  test("the Iris pipeline's register step hands each version to the 'iris' Rollout, through a Role on that one object", () => {
    const handOffRoles = objects.filter((o) => o.kind === 'Role' && JSON.stringify(o.rules).includes('rollouts'));
    expect(handOffRoles.map((r) => [r.metadata.name, r.rules])).toEqual([
      ['iris-hand-off-iris', [{ apiGroups: ['argoproj.io'], resources: ['rollouts'], resourceNames: ['iris'], verbs: ['get', 'patch'] }]],
    ]);
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'iris-hand-off-iris')!;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'iris-hand-off', namespace: 'ml' }]);
    const templates: Json[] = objects.find((o) => o.kind === 'WorkflowTemplate')!.spec.templates;
    const register = templates.find((t) => t.name === 'register')!;
    expect(register.dag.tasks.map((t: Json) => t.name)).toEqual(['register', 'hand-off-iris']);
    expect(templates.find((t) => t.name === 'register-hand-off-1')!.serviceAccountName).toBe('iris-hand-off');
    const rollout = objects.find((o) => o.kind === 'Rollout')!;
    expect(rollout.spec.template.metadata.annotations).toBeUndefined();
    expect(rollout.spec.template.spec.containers[0].env.map((e: Json) => [e.name, e.valueFrom.fieldRef.fieldPath])).toEqual([
      ['MLOPS_MODEL_URI', "metadata.annotations['mlops.cdk.io/model-uri']"],
      ['MLOPS_MODEL_VERSION', "metadata.annotations['mlops.cdk.io/model-version']"],
    ]);
  });

  test('the Rollout canaries 10 % of 10 pods for 10 minutes under a background analysis whose no-data case fails', () => {
    const rollout = objects.find((o) => o.kind === 'Rollout')!;
    expect(rollout.spec.replicas).toBe(10);
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '600s' } }]);
    expect(rollout.spec.strategy.canary.analysis.templates).toEqual([{ templateName: 'iris-canary-analysis' }]);
    const template = objects.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === 'iris-canary-analysis')!;
    expect(template.spec.metrics.map((m: Json) => [m.name, m.successCondition])).toEqual([
      ['success-rate', 'len(result) > 0 && result[0] >= 0.99'],
      ['p99-latency', 'len(result) > 0 && result[0] <= 0.5'],
    ]);
  });

  test('the KServe endpoint splits 10 % to the new revision, and synth says its rollback is manual', () => {
    const isvc = objects.find((o) => o.kind === 'InferenceService')!;
    expect(isvc.metadata.name).toBe('iris-kserve');
    expect(isvc.spec.predictor.canaryTrafficPercent).toBe(10);
    expect(SynthWarnings.of(chart).filter((w) => w.includes('KServe does not roll back on metrics'))).toHaveLength(1);
  });
});
