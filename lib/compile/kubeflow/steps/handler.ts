import type { StepNode } from '../../../pipeline/graph';
import type { KubeflowCompilation, Level } from '../compile';
import type { Json } from '../json';

/**
 * How Kubeflow compiles one step kind: it adds the components and executors the step needs to
 * the compilation and returns the step's task in `level`'s DAG, or undefined after adding a
 * problem. Dependencies between steps are the compilation's job; a handler adds only those on
 * tasks it creates itself (importer tasks).
 */
export interface KubeflowStepHandler {
  task(compilation: KubeflowCompilation, node: StepNode, level: Level): Json | undefined;
}
