export * from './airflow-environment';
export * from './metrics';
export * from './props';
export * from './sagemaker-access';
