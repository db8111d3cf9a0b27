import { Chart, Testing } from 'cdk8s';
import { Engine, MlPipeline, NetworkEndpoint } from '../../constructs/k8s';
import { SynthWarnings } from '../../constructs/k8s/warnings';
import { gatedDeployPipeline } from '../../examples/katib-gated-deploy/pipeline';
import { irisPipeline } from '../../examples/iris/pipeline';
import { Pipeline } from '../../lib';
import { packageCode } from '../../lib/runtime';
import { validateManifests } from '../support/k8s';

/**
 * What k8s.MlPipeline adds for a tuning step (constructs/k8s/tuning-access.ts): the trial's code
 * ConfigMap, RBAC on its Katib Experiments, and the network paths between the tuning step's
 * container, the trial pods and Katib's db-manager. A pipeline without one gets none of it.
 */

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };
const IMAGE = 'python:3.12-slim';

const engines = [
  ['Argo', () => Engine.argo({ defaultImage: IMAGE })],
  ['Kubeflow', () => Engine.kubeflow({ defaultImage: IMAGE })],
] as const;

let chart: Chart;

function synth(pipeline: Pipeline, engine: Engine): Json[] {
  chart = new Chart(Testing.app(), 'test', { namespace: 'ml' });
  new MlPipeline(chart, 'P', { pipeline, engine, apiServer: NetworkEndpoint.apiServer('10.0.0.1/32') });
  return Testing.synth(chart);
}

const KATIB_WARNING = "tuning step 'hpo' runs a Katib Experiment: the cluster needs Katib v0.19.0 (>= v0.18) in namespace 'kubeflow' with injectSecurityContext: true in katib-config (so its metrics collector sidecar passes Pod Security 'restricted'), " +
  "and namespace 'ml' labelled katib.kubeflow.org/metrics-collector-injection=enabled (kubectl label namespace ml katib.kubeflow.org/metrics-collector-injection=enabled); see docs/tuning.md";

describe.each(engines)('on %s', (_name, engine) => {
  test('a tuning step: the Role may create, get and delete Experiments; the trial code is a ConfigMap; trials and the step reach each other', () => {
    const pipeline = gatedDeployPipeline();
    const objects = synth(pipeline, engine());
    expect(validateManifests(objects, { argo: 'v4.1.2' })).toEqual([]);
    expect(SynthWarnings.of(chart)).toContain(`[test/P] ${KATIB_WARNING}`);
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'iris-tuned-pipeline')!;
    expect(role.rules).toContainEqual({ apiGroups: ['kubeflow.org'], resources: ['experiments'], verbs: ['create', 'get', 'delete'] });

    const trialCode = packageCode((pipeline.allSteps().find((s) => s.name === 'hpo') as any).trial.code);
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.binaryData);
    expect(configMaps.map((o) => o.binaryData['code.zip'])).toContain(trialCode.toString('base64'));
    const construct = chart.node.findChild('P') as MlPipeline;
    expect(construct.codeConfigMaps).toEqual(configMaps.filter((o) => o.binaryData['code.zip']).map((o) => o.metadata.name).sort());

    const allow = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'iris-tuned-steps-allow')!;
    const stepPods = allow.spec.podSelector;
    expect(allow.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(allow.spec.ingress).toEqual([{ from: [{ podSelector: stepPods }], ports: [{ protocol: 'TCP', port: 8470 }] }]);
    expect(allow.spec.egress).toContainEqual({ to: [{ podSelector: stepPods }], ports: [{ protocol: 'TCP', port: 8470 }] });
    expect(allow.spec.egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kubeflow' } }, podSelector: { matchLabels: { 'katib.kubeflow.org/component': 'db-manager' } } }],
      ports: [{ protocol: 'TCP', port: 6789 }],
    });
  });

  test('a trial pod carries every label the steps policies select it by', () => {
    const objects = synth(gatedDeployPipeline(), engine());
    const allow = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'iris-tuned-steps-allow')!;
    const args = findArgs(objects);
    const experiment = JSON.parse(args[args.indexOf('--experiment') + 1]);
    expect(experiment.spec.trialTemplate.trialSpec.spec.template.metadata.labels).toMatchObject(allow.spec.podSelector.matchLabels);
  });

  test('a pipeline without a tuning step gets no Katib access', () => {
    const objects = synth(irisPipeline(), engine());
    expect(JSON.stringify(objects)).not.toContain('experiments');
    expect(SynthWarnings.of(chart).filter((w) => w.includes('Katib'))).toEqual([]);
    const allow = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('-steps-allow'))!;
    expect(allow.spec.ingress).toBeUndefined();
    expect(JSON.stringify(allow.spec.egress)).not.toContain('8470');
  });
});

/** The tuning step container's arguments, in a WorkflowTemplate or a PipelineVersion. */
function findArgs(objects: Json[]): string[] {
  let found: string[] | undefined;
  const visit = (node: any): void => {
    if (found || !node || typeof node !== 'object') {
      return;
    }
    if (Array.isArray(node.args) && node.args.includes('--experiment')) {
      found = node.args;
      return;
    }
    Object.values(node).forEach(visit);
  };
  objects.forEach(visit);
  return found!;
}
