export { compileArgo, ENGINE as ARGO_ENGINE, PIPELINE_LABEL } from './compile';
export { ETCD_OBJECT_LIMIT, formatBytes, sizeProblem } from './limits';
export * from './names';
export * from './options';
export { CODE_ARCHIVE, CODE_DIR } from './paths';
export { argoSchedule } from './schedule';
export { STEP_LABEL, MODEL_VERSION } from './step-templates';
