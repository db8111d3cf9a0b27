import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EndpointHandOff } from '../../lib/kubernetes/endpoint-hand-off';
import { Code } from '../../lib/pipeline/code';
import { pipelineImageWarnings } from '../../lib/pipeline/image-warnings';
import { imageWarnings } from '../../lib/pipeline/images';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Schedule } from '../../lib/pipeline/schedule';
import { Scalar } from '../../lib/pipeline/values';
import { EngineKind } from './engine-kind';
import { EgressRule } from './network';

export * from './engine-kind';

/**
 * What the engine renderers share with MlPipeline and the run jobs. The renderers import this
 * file and nothing of engine.ts, and engine.ts imports the renderers: no import circle.
 */

/** What an engine gets from MlPipeline to render its objects. @internal */
export interface EngineContext {
  readonly scope: Construct;
  /** For messages: "MlPipeline 'Iris'". */
  readonly subject: string;
  readonly pipeline: Pipeline;
  /** Base name of the pipeline's objects (the pipeline name lowercased, or MlPipelineProps.name). */
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly schedule?: Schedule;
  readonly codeConfigMapName: (code: Code) => string;
  /** Labels for every object of the pipeline. */
  readonly labels: { [label: string]: string };
  readonly networkPolicies: boolean;
  readonly dns: EgressRule;
  /** Undefined when the user named no API server: then no pod gets egress to it. */
  readonly apiServer?: EgressRule;
  /** MLFLOW_TRACKING_URI of every step. */
  readonly trackingUri?: string;
  /** Labels step pods carry besides the engine's own (the tracking server's client label). */
  readonly extraStepPodLabels?: { [label: string]: string };
  /** Endpoints the pipeline's register steps hand their versions to. */
  readonly endpointHandOffs?: EndpointHandOff[];
}

/**
 * What a run job submits and what its pod needs, from the engine that rendered the pipeline.
 * @internal
 */
export interface RunTarget {
  /** The run script's configuration (run-pipeline.py), without the parts common to both engines. */
  readonly config: { [key: string]: unknown };
  /** RBAC rules of the run job's service account. */
  readonly rules: k8s.PolicyRule[];
  /** Where the run pod connects (DNS included where it needs it). */
  readonly egress: EgressRule[];
  /**
   * Audience of the projected service account token the pod presents. Undefined: the pod talks to
   * the Kubernetes API server with its own automounted token.
   */
  readonly tokenAudience?: string;
  /** Image with python3, when the engine's options name one. */
  readonly image?: string;
  /** The numeric non-root user the pod runs as. */
  readonly runAsUser: number;
  /** For messages: 'Argo Workflows'. */
  readonly engineName: string;
  /** Identifies the rendered pipeline (its version): a changed pipeline makes a new one-off run Job. */
  readonly fingerprint: string;
  /** What the engine cannot submit (e.g. a parameter value it would misread). */
  readonly problems: string[];
}

/** What an engine rendered, for MlPipeline to complete (RBAC, network policies, run jobs). @internal */
export interface EngineRendering {
  readonly objects: ApiObject[];
  /** RBAC rules the step pods' service account needs. */
  readonly stepRules: k8s.PolicyRule[];
  /** Labels that select the pipeline's step pods, when the engine can label them. */
  readonly stepPodLabels?: { [label: string]: string };
  /** Where step pods connect besides DNS and the API server. */
  readonly stepEgress: EgressRule[];
  /** What the rendering cannot make safe by itself, for synth warnings. */
  readonly warnings: string[];
  /** Egress the step pods need but get none for, for synth warnings when network policies are on. */
  readonly egressWarnings: string[];
  /**
   * What a run of the rendered pipeline with these parameter values (already checked against the
   * pipeline's parameters) submits: a run job's work.
   */
  readonly runTarget: (parameters: { [name: string]: Scalar }) => RunTarget;
}

/** One engine's rendering of a pipeline. Engine (engine.ts) wraps one. @internal */
export interface EngineRenderer {
  readonly kind: EngineKind;
  /** The namespace the engine requires, if it has one (a namespaced controller's). */
  namespace(): string | undefined;
  /** Creates the engine's objects in `ctx.scope`; throws a PipelineValidationError on problems. */
  render(ctx: EngineContext): EngineRendering;
}

/**
 * Unpinned-image warnings for a pipeline on a Kubernetes engine: each step's own image, the
 * engine's defaultImage where a step runs it, and a utilityImage wherever it is given.
 */
export function engineImageWarnings(pipeline: Pipeline, engine: string, options: { readonly defaultImage?: string; readonly utilityImage?: string }): string[] {
  return [
    ...pipelineImageWarnings(pipeline, { [`${engine} option defaultImage`]: options.defaultImage }),
    ...imageWarnings(`${engine} option utilityImage`, options.utilityImage),
  ];
}
