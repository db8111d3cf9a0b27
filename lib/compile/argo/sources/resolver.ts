import type { DataSource } from '../../../pipeline/artifacts';
import type { Step } from '../../../pipeline/step';
import type { ArgoCompilation } from '../compilation';
import type { Json } from '../json';

/** How a step's template and task read one input on Argo. */
export interface ArgoInput {
  /**
   * The template's input artifact: its name and path, plus its location when the template
   * reads it from the artifact repository itself (a key-only artifact).
   */
  readonly artifact: Json;
  /** The task's argument for it (`from:` another task's output), when the task passes it. */
  readonly argument?: Json;
}

/**
 * How Argo reads one kind of data source (`source.sourceKind`): the input artifact, or undefined
 * after adding a problem that names the step and the input. The directory the step finds the
 * input in (MLOPS_INPUT_<NAME>) is always inputPath(name).
 */
export interface ArgoSourceResolver {
  resolve(compilation: ArgoCompilation, step: Step, input: string, source: DataSource): ArgoInput | undefined;
}
