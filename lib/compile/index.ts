export * as airflow from './airflow';
export * as argo from './argo';
export * as kubeflow from './kubeflow';
export * as sagemaker from './sagemaker';
