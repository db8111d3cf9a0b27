import * as fs from 'fs';
import { HAND_OFF_PATH } from '../runtime/paths';

/**
 * The hand-off from a pipeline's register step to a model endpoint on Kubernetes, as both
 * Kubernetes compilers see it: after the register step succeeds, a small step patches the
 * endpoint's object (an Argo Rollouts Rollout or a KServe InferenceService) with the new version's
 * model URI, in pod-template annotations that the server reads through the downward API. The
 * endpoint's manifest never sets those annotations, so re-applying it leaves them alone.
 */

/** The pod-template annotation holding the handed-over model URI (the server's MLOPS_MODEL_URI). */
export const MODEL_URI_ANNOTATION = 'mlops.cdk.io/model-uri';
/** The pod-template annotation holding the handed-over version (the server's MLOPS_MODEL_VERSION). */
export const MODEL_VERSION_ANNOTATION = 'mlops.cdk.io/model-version';

/** The endpoint object a hand-off patches, and where its pod-template annotations are. */
export interface HandOffTarget {
  /** For messages and step names: the endpoint's name. */
  readonly endpoint: string;
  readonly namespace: string;
  /** The object's name (the endpoint's name). */
  readonly name: string;
  /** 'argoproj.io' or 'serving.kserve.io'. */
  readonly apiGroup: string;
  /** 'v1alpha1' or 'v1beta1'. */
  readonly apiVersion: string;
  /** The plural resource: 'rollouts' or 'inferenceservices'. */
  readonly resource: string;
  /** The path of the annotations map in the object: ['spec', 'template', 'metadata', 'annotations']. */
  readonly annotationsPath: string[];
}

/** One hand-off: every version the register step `registerStep` registers goes to `target`. */
export interface EndpointHandOff {
  readonly registerStep: string;
  readonly target: HandOffTarget;
  /** The account the hand-off pod runs as, where the engine runs a step as its own account (Argo). */
  readonly serviceAccountName?: string;
}

/** The API path of the target object, which the hand-off GETs and PATCHes. */
export function handOffObjectPath(target: HandOffTarget): string {
  return `/apis/${target.apiGroup}/${target.apiVersion}/namespaces/${target.namespace}/${target.resource}/${target.name}`;
}

/** The arguments of hand_off.py for one target; the URI and version follow as --uri, --version. */
export function handOffArguments(target: HandOffTarget): string[] {
  return [
    '--object-path', handOffObjectPath(target),
    '--annotations-path', target.annotationsPath.join('.'),
  ];
}

let script: string | undefined;

/** The hand-off program (lib/runtime/hand_off.py), run as `python3 -c <it> <args>`. */
export function handOffScript(): string {
  script ??= fs.readFileSync(HAND_OFF_PATH, 'utf8');
  return script;
}
