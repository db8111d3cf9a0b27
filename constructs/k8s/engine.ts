import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Code } from '../../lib/pipeline/code';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Schedule } from '../../lib/pipeline/schedule';
import type { ArgoEngineOptions } from './argo-engine';
import type { KubeflowEngineOptions } from './kubeflow-engine';
import { NetworkEndpoint } from './network';

export enum EngineKind {
  ARGO = 'argo',
  KUBEFLOW = 'kubeflow',
}

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
  readonly dns: NetworkEndpoint;
  readonly apiServer: NetworkEndpoint;
}

/** What an engine rendered, for MlPipeline to complete (RBAC, network policies, size checks). @internal */
export interface EngineRendering {
  readonly objects: ApiObject[];
  /** RBAC rules the step pods' service account needs. */
  readonly stepRules: k8s.PolicyRule[];
  /** Labels that select the pipeline's step pods, when the engine can label them. */
  readonly stepPodLabels?: { [label: string]: string };
  /** Where step pods connect besides DNS and the API server. */
  readonly stepEgress: NetworkEndpoint[];
}

/**
 * The orchestrator a Kubernetes MlPipeline runs on. Create one with a static factory:
 * `Engine.argo()` (Argo Workflows) or `Engine.kubeflow()` (Kubeflow Pipelines 2.x).
 */
export abstract class Engine {
  /** Argo Workflows: a WorkflowTemplate (one DAG) and, with a schedule, a CronWorkflow. */
  public static argo(options: ArgoEngineOptions = {}): Engine {
    const { ArgoEngine } = require('./argo-engine') as typeof import('./argo-engine');
    return new ArgoEngine(options);
  }

  /**
   * Kubeflow Pipelines >= 2.x in Kubernetes-native mode: a Pipeline and a PipelineVersion holding
   * the v2 IR and, with a schedule, a job that keeps a recurring run in step with it.
   */
  public static kubeflow(options: KubeflowEngineOptions = {}): Engine {
    const { KubeflowEngine } = require('./kubeflow-engine') as typeof import('./kubeflow-engine');
    return new KubeflowEngine(options);
  }

  public abstract readonly kind: EngineKind;

  /** The namespace the engine requires, if it has one (a namespaced controller's). @internal */
  public _namespace(): string | undefined {
    return undefined;
  }

  /** @internal */
  public abstract _render(context: EngineContext): EngineRendering;
}
