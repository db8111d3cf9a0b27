import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { SynthWarnings } from '../../../constructs/k8s';
import { CanaryEndpointChart } from '../../../examples/canary-endpoint/k8s';
import { broadEgressProblems, validateManifests } from '../../support/k8s';
import { endpointPodSecurityProblems, endpointResourceProblems } from '../../support/k8s/endpoint-pods';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

describe('examples/canary-endpoint on Kubernetes (CanaryEndpointChart)', () => {
  const chart = new CanaryEndpointChart(Testing.app(), 'canary-endpoint');
  const objects: Json[] = Testing.synth(chart);

  test('snapshot', () => {
    expect(YAML.stringify(objects)).toMatchSnapshot();
  });

  test('every manifest validates (Kubernetes 1.30, Argo Rollouts, KServe and Prometheus Operator CRDs); pods are restricted, sized, and egress is narrow', () => {
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...endpointPodSecurityProblems(o), ...endpointResourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
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
