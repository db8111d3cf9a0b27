import { podSecurityProblems, PodSecurityOptions, resourceProblems } from './pods';
import { describe, Manifest } from './validate';

/**
 * The pods of the kinds podsOf (pods.ts) does not know yet, as a built-in workload of the same pod
 * so that pods.ts's checks run on them unchanged: an Argo Rollouts Rollout (spec.template, as a
 * Deployment) and a KServe InferenceService (each component's pod fields are inline, as a Pod).
 * Messages name the real object.
 */
function asBuiltIn(object: Manifest): { view: Manifest; rename: (p: string) => string }[] {
  const at = describe(object);
  if (object.apiVersion === 'argoproj.io/v1alpha1' && object.kind === 'Rollout') {
    const view = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: object.metadata, spec: { template: object.spec?.template } };
    return [{ view, rename: (p) => p.replace(describe(view), at) }];
  }
  if (object.apiVersion === 'serving.kserve.io/v1beta1' && object.kind === 'InferenceService') {
    return ['predictor', 'transformer', 'explainer'].filter((c) => object.spec?.[c]).map((component) => {
      const view = { apiVersion: 'v1', kind: 'Pod', metadata: object.metadata, spec: object.spec[component] };
      return { view, rename: (p: string) => p.replace(describe(view), `${at} ${component}`) };
    });
  }
  return [];
}

/** Pod Security 'restricted' problems of a Rollout's or InferenceService's pods (what our manifests set; not what KServe injects). */
export function endpointPodSecurityProblems(object: Manifest, options: PodSecurityOptions = {}): string[] {
  return asBuiltIn(object).flatMap(({ view, rename }) => podSecurityProblems(view, options).map(rename));
}

/** Containers of a Rollout's or InferenceService's pods without CPU and memory requests and limits. */
export function endpointResourceProblems(object: Manifest): string[] {
  return asBuiltIn(object).flatMap(({ view, rename }) => resourceProblems(view).map(rename));
}

/** True when the object has pods these helpers can check. */
export function hasEndpointPods(object: Manifest): boolean {
  return asBuiltIn(object).length > 0;
}
