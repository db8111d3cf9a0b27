export * from './ml-pipeline';
export * from './orchestrator';
export * from './pipeline-base';
export * from './trigger';
export * from './endpoint';
export * from './feature-store';
export * from './airflow';
export * from './mlflow';
