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
