/**
 * Kubernetes concepts shared by the Kubernetes engines' compilers and constructs (Argo, Kubeflow),
 * so that a pipeline means the same on both: GPU scheduling, resource quantities, label rules,
 * cron schedules, object size limits and image options. Target-neutral TypeScript: no cdk8s.
 */
export * from './gpu-scheduling';
export * from './images';
export * from './labels';
export * from './limits';
export * from './quantities';
export * from './rules';
export * from './schedule';
export * from './pipeline-document';
