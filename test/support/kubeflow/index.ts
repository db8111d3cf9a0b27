export { kfpProtoDir, kubeflowRegistry } from './descriptors';
export { evaluateTrigger } from './trigger';
export { validateKubeflowDocument } from './validate-ir';
export type { KubeflowDocumentLike } from './validate-ir';
export { runExecutor } from './emulate';
export type { EmulatedRun, EmulatedRunOptions } from './emulate';
export { compileForTest, TEST_OPTIONS } from './options';
