export * from './artifact-store';
export * from './backend-store';
export * from './mlflow-server';
export * from './props';
