export * from './ml-pipeline';
export * from './orchestrator';
