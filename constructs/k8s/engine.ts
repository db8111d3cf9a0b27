import { brand, isA } from '../../lib/pipeline/brand';
import { ArgoEngine } from './argo-engine';
import { ArgoEngineOptions } from './argo-engine-options';
import { EngineKind, EngineRenderer } from './engine-renderer';
import { KubeflowEngine } from './kubeflow-engine';
import { KubeflowEngineOptions } from './kubeflow-engine-options';

export * from './engine-kind';

/**
 * The orchestrator a Kubernetes MlPipeline runs on. Create one with a static factory:
 * `Engine.argo()` (Argo Workflows) or `Engine.kubeflow()` (Kubeflow Pipelines 2.x).
 */
export class Engine {
  /** True for an Engine from any copy of cdk-mlops (a brand, not instanceof). */
  public static isEngine(x: unknown): x is Engine {
    return isA(x, Engine);
  }

  /** Argo Workflows: a WorkflowTemplate (one DAG) and, with a schedule, a CronWorkflow. */
  public static argo(options: ArgoEngineOptions = {}): Engine {
    return new Engine(new ArgoEngine(options));
  }

  /**
   * Kubeflow Pipelines >= 2.x in Kubernetes-native mode: a Pipeline and a PipelineVersion holding
   * the v2 IR and, with a schedule, a job that keeps a recurring run in step with it.
   */
  public static kubeflow(options: KubeflowEngineOptions = {}): Engine {
    return new Engine(new KubeflowEngine(options));
  }

  public readonly kind: EngineKind;

  private constructor(
    /** @internal */
    public readonly _renderer: EngineRenderer,
  ) {
    this.kind = _renderer.kind;
  }
}

brand(Engine, 'cdk-mlops.k8s.Engine');
