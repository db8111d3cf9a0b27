/** How an Airflow DAG on Amazon MWAA runs its script and training steps. */
export enum AirflowDagExecutor {
  /**
   * Each step is a SageMaker job (processing job for script steps, training job for training
   * steps) that the amazon provider's operators start and watch; data under the pipeline's
   * bucket prefix in S3. The MWAA default: workers only wait, SageMaker runs the code.
   */
  SAGEMAKER = 'sagemaker',
  /**
   * Each step runs through the launcher in a subprocess of the Airflow worker, its code next to
   * the DAG file; data on the worker's disk (/tmp/mlops-data), so every run must stay on one
   * worker (minWorkers = maxWorkers = 1, or mw1.micro) and the steps' packages must be in the
   * environment's requirements. For small pipelines and development.
   */
  PYTHON = 'python',
}

/** Options for running a pipeline as an Airflow DAG on Amazon MWAA. */
export interface AirflowOrchestratorOptions {
  /** How steps run. @default AirflowDagExecutor.SAGEMAKER */
  readonly executor?: AirflowDagExecutor;
  /**
   * The DAG id (unique per environment).
   * @default MlPipelineProps.pipelineName, else the pipeline's name
   */
  readonly dagId?: string;
  /**
   * SageMaker executor: image (ECR URI) for script and training steps that name none.
   * @default the region's SageMaker scikit-learn image (1.2-1-cpu-py3)
   */
  readonly defaultImage?: string;
  /** SageMaker executor: image registered models are served with when their step names none. @default `defaultImage` */
  readonly defaultInferenceImage?: string;
  /** SageMaker executor: instance type of steps without resources.sageMakerInstanceType. @default 'ml.m5.large' */
  readonly defaultInstanceType?: string;
  /** The DAG's tags in the Airflow UI. @default ['cdk-mlops'] */
  readonly tags?: string[];
  /**
   * Airflow has no step cache: steps with a cache policy are a synth error unless this is true,
   * and then they run every time (the DAG file's header lists them).
   * @default false
   */
  readonly runCachedStepsAlways?: boolean;
}
