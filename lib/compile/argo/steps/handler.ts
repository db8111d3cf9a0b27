import type { StepNode } from '../../../pipeline/graph';
import type { ArgoCompilation } from '../compilation';
import type { Json } from '../json';

/** What a step's DAG task needs besides its name, template, dependencies and `when`. */
export interface ArgoTaskNeeds {
  readonly parameters?: Json[];
  readonly artifacts?: Json[];
  /** A fan-out: the task runs once per item, each getting it as `{{item}}`. */
  readonly withItems?: string[];
}

/** A compiled step: its templates, and its DAG task unless the step has none (a condition). */
export interface ArgoStep {
  readonly templates: Json[];
  readonly task?: ArgoTaskNeeds;
}

/**
 * How Argo compiles one step kind: the step's templates and what its task needs, or undefined
 * after adding problems to the compilation. Dependencies and `when` are the compiler's job; a
 * step without a task is waited for through its inputs and the steps nested in it.
 */
export interface ArgoStepHandler {
  compile(compilation: ArgoCompilation, node: StepNode): ArgoStep | undefined;
}
