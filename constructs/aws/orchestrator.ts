import { brand, isA } from '../../lib/pipeline/brand';
import type { AirflowEnvironment } from './airflow/airflow-environment';
import { AirflowRenderer } from './orchestrators/airflow';
import { AirflowOrchestratorOptions } from './orchestrators/airflow-options';
import { OrchestratorKind, OrchestratorRenderer } from './orchestrators/renderer';
import { SageMakerRenderer } from './orchestrators/sagemaker';
import { SageMakerOrchestratorOptions } from './orchestrators/sagemaker-options';

export * from './orchestrators/airflow-options';
export * from './orchestrators/orchestrator-kind';
export * from './orchestrators/sagemaker-options';

/**
 * Which engine runs the pipeline on AWS. Create one with a static factory:
 * `Orchestrator.sageMaker()` (SageMaker Pipelines) or `Orchestrator.airflow(environment)` (an
 * Airflow DAG on Amazon MWAA). Each factory wraps a renderer that creates the engine's resources
 * for an MlPipeline, so another engine is another factory and renderer, not an edit of MlPipeline.
 */
export class Orchestrator {
  /** True for an Orchestrator from any copy of cdk-mlops (a brand, not instanceof). */
  public static isOrchestrator(x: unknown): x is Orchestrator {
    return isA(x, Orchestrator);
  }

  /** SageMaker Pipelines: script steps become processing jobs, training steps training jobs. */
  public static sageMaker(options: SageMakerOrchestratorOptions = {}): Orchestrator {
    return new Orchestrator(new SageMakerRenderer({ ...options }));
  }

  /**
   * An Airflow DAG in an Amazon MWAA environment: the DAG file (and the step code it needs) is
   * deployed under the environment's dags/ prefix, the environment's execution role may run the
   * DAG's tasks, and no SageMaker pipeline is created. Steps run as SageMaker jobs by default
   * (`executor: AirflowDagExecutor.PYTHON` runs them on the worker). See docs/airflow.md.
   */
  public static airflow(environment: AirflowEnvironment, options: AirflowOrchestratorOptions = {}): Orchestrator {
    return new Orchestrator(new AirflowRenderer(environment, { ...options }));
  }

  public readonly kind: OrchestratorKind;

  private constructor(
    /** @internal */
    public readonly _renderer: OrchestratorRenderer,
  ) {
    this.kind = _renderer.kind;
  }
}

brand(Orchestrator, 'cdk-mlops.aws.Orchestrator');
