export { compileKubeflow, KFP_SCHEMA_VERSION, RETRY_WINDOW_SECONDS } from './compile';
export type { KubeflowDocument } from './compile';
export { kubeflowTaskName } from './names';
export { CODE_ARCHIVE, CODE_CONFIG_MAP_KEY, CODE_MOUNT_PATH, RUN_ID_FIELD_PATH, SCRATCH_PATH } from './executors';
export type { KubeflowCompileOptions } from './options';
