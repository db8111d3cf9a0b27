import { HandOffTarget } from '../../../lib/kubernetes/endpoint-hand-off';
import { ModelServerKind } from './model-server';

/** The object a pipeline's hand-off patches: the Rollout's pod template, or the KServe predictor's annotations. */
export function handOffTarget(kind: ModelServerKind, name: string, namespace: string): HandOffTarget {
  return kind === ModelServerKind.ARGO_ROLLOUTS
    ? { endpoint: name, namespace, name, apiGroup: 'argoproj.io', apiVersion: 'v1alpha1', resource: 'rollouts', annotationsPath: ['spec', 'template', 'metadata', 'annotations'] }
    : { endpoint: name, namespace, name, apiGroup: 'serving.kserve.io', apiVersion: 'v1beta1', resource: 'inferenceservices', annotationsPath: ['spec', 'predictor', 'annotations'] };
}
