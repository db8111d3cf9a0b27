/** The package entry: the model, the constructs of each cloud, and the runners and renderers. */
export * from './lib/pipeline';
export * as compile from './lib/compile';
export * as local from './lib/local';
export * as render from './lib/render';
export * as aws from './constructs/aws';
export * as k8s from './constructs/k8s';
