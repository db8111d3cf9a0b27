/** The engines an MlPipeline can run on. */
export enum OrchestratorKind {
  SAGEMAKER = 'sagemaker',
}
