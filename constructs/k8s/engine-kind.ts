/** The engines a Kubernetes MlPipeline can run on. */
export enum EngineKind {
  ARGO = 'argo',
  KUBEFLOW = 'kubeflow',
}
