/** The engines an MlPipeline can run on. */
export enum OrchestratorKind {
  SAGEMAKER = 'sagemaker',
  /** An Airflow DAG on Amazon MWAA. */
  AIRFLOW = 'airflow',
}
