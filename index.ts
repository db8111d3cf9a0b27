/**
 * The package entry, and jsii's: the model and the constructs of each cloud. TypeScript-only parts
 * are subpath exports: 'cdk-mlops/local' (the local runner), 'cdk-mlops/compile' (the compilers),
 * 'cdk-mlops/render' (diagrams) and 'cdk-mlops/errors' (PipelineValidationError).
 */
export * from './lib/pipeline/public';
export * as aws from './constructs/aws';
export * as k8s from './constructs/k8s';
