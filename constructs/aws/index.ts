export * from './ml-pipeline';
export * from './orchestrator';
export { MlPipelineBase } from './pipeline-base';
export type { IMlPipeline } from './pipeline-base';
export { PipelineTrigger } from './trigger';
export type { PipelineTriggerProps, TriggerOptions } from './trigger';
