import { k8s } from 'cdk8s-plus-27';
import { KATIB_DB_MANAGER, KATIB_STEP_RULES, KATIB_VERSION, TUNE_PORT } from '../../lib/kubernetes/katib';
import { isA } from '../../lib/pipeline/brand';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { TuneStep } from '../../lib/pipeline/steps/tune-step';
import { EgressRule, IngressRule, NetworkEndpoint } from './network';

/**
 * What a pipeline with a tuning step needs on Kubernetes besides its steps' own access. The tuning
 * step's container creates a Katib Experiment (RBAC on experiments.kubeflow.org) and serves the
 * trials on TUNE_PORT; Katib's trial pods carry the step pods' labels, so they get the steps'
 * network policies plus: egress to the step pods' port, and the metrics collector sidecar's
 * egress to Katib's db-manager. The step pods get ingress on that port from the step pods.
 */
function tuneSteps(pipeline: Pipeline): TuneStep[] {
  return pipeline.allSteps().filter((s): s is TuneStep => isA(s, TuneStep));
}

/** The Role rules a tuning step's container needs, when the pipeline has one. */
export function tuningStepRules(pipeline: Pipeline): k8s.PolicyRule[] {
  return tuneSteps(pipeline).length > 0 ? KATIB_STEP_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) : [];
}

/** The step pods' extra ingress and egress, when the pipeline has a tuning step. */
export function tuningNetwork(pipeline: Pipeline, subject: string, stepPodLabels: { [label: string]: string }): { ingress: IngressRule[]; egress: EgressRule[] } {
  if (tuneSteps(pipeline).length === 0) {
    return { ingress: [], egress: [] };
  }
  const stepPods = NetworkEndpoint.pods({ podLabels: stepPodLabels, ports: [TUNE_PORT] });
  const askedBy = `${subject}: tuning step ${tuneSteps(pipeline).map((t) => `'${t.name}'`).join(', ')}`;
  return {
    ingress: [{ from: stepPods, ports: [TUNE_PORT] }],
    egress: [
      { to: stepPods, askedBy },
      { to: NetworkEndpoint.pods({ namespace: KATIB_DB_MANAGER.namespace, podLabels: { ...KATIB_DB_MANAGER.podLabels }, ports: [KATIB_DB_MANAGER.port] }), askedBy: `${askedBy} (Katib's metrics collector)` },
    ],
  };
}

/**
 * What the cluster must have for the pipeline's tuning steps, which a manifest cannot provide
 * (docs/tuning.md, "Kubernetes (Katib)").
 */
export function tuningWarnings(pipeline: Pipeline, namespace: string | undefined, ownServiceAccount: boolean): string[] {
  const steps = tuneSteps(pipeline);
  if (steps.length === 0) {
    return [];
  }
  const ns = namespace ?? '<namespace>';
  const account = ownServiceAccount ? '; the service account you gave needs create, get and delete on experiments.kubeflow.org in it' : '';
  return [
    `tuning step ${steps.map((t) => `'${t.name}'`).join(', ')} runs a Katib Experiment: the cluster needs Katib ${KATIB_VERSION} (>= v0.18) in namespace '${KATIB_DB_MANAGER.namespace}' with injectSecurityContext: true in katib-config (so its metrics collector sidecar passes Pod Security 'restricted'), ` +
    `and namespace '${ns}' labelled katib.kubeflow.org/metrics-collector-injection=enabled (kubectl label namespace ${ns} katib.kubeflow.org/metrics-collector-injection=enabled)${account}; see docs/tuning.md`,
  ];
}
