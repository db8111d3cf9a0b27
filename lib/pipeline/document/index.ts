export * from './pipeline-document';
export { STEP_DOCUMENTS } from './steps';
export type { StepDocument, StepDocumentCodec } from './steps';
