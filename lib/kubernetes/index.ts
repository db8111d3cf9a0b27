/**
 * Kubernetes concepts shared by the Kubernetes engines' compilers (Argo, Kubeflow), so that a
 * pipeline means the same on both: GPU scheduling, resource quantities, label rules. Target-
 * neutral TypeScript: no cdk8s.
 */
export * from './gpu-scheduling';
export * from './labels';
export * from './quantities';
