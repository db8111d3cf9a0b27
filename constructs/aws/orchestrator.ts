/** Options for running a pipeline on SageMaker Pipelines. */
export interface SageMakerOrchestratorOptions {
  /**
   * Image (ECR URI) for script and training steps that name none.
   * @default the region's SageMaker scikit-learn image (1.2-1-cpu-py3), resolved at deploy time
   */
  readonly defaultImage?: string;
  /**
   * Image registered models are served with when their step names none.
   * @default `defaultImage`, else the region's SageMaker scikit-learn image
   */
  readonly defaultInferenceImage?: string;
  /**
   * At most this many steps run at the same time in one execution.
   * @default SageMaker's default
   */
  readonly maxParallelSteps?: number;
}

/** The engines an MlPipeline can run on. */
export enum OrchestratorKind {
  SAGEMAKER = 'sagemaker',
}

/**
 * Which engine runs the pipeline on AWS. Create one with a static factory:
 * `Orchestrator.sageMaker()` (SageMaker Pipelines). Amazon MWAA (Airflow) will be another.
 */
export class Orchestrator {
  /** SageMaker Pipelines: script steps become processing jobs, training steps training jobs. */
  public static sageMaker(options: SageMakerOrchestratorOptions = {}): Orchestrator {
    return new Orchestrator(OrchestratorKind.SAGEMAKER, { ...options });
  }

  private constructor(
    public readonly kind: OrchestratorKind,
    /** The options given to `Orchestrator.sageMaker()`. */
    public readonly sageMakerOptions: SageMakerOrchestratorOptions,
  ) {}
}
