import type { DataSource } from '../../../pipeline/artifacts';
import type { Step } from '../../../pipeline/step';
import type { KubeflowCompilation, Level } from '../compile';
import type { Json } from '../json';

/** How a step's task reads one input on KFP. */
export interface ResolvedInput {
  /** The input artifact's definition in the reading component. */
  readonly definition: Json;
  /** How the task binds it in its DAG. */
  readonly binding: Json;
  /** The directory the launcher finds it in (MLOPS_INPUT_<NAME>). */
  readonly path: string;
  /** Launcher flags that prepare the directory. */
  readonly launcherArguments: string[];
  /** True when the launcher needs the executor input ({{$}}) to prepare it. */
  readonly needsExecutorInput: boolean;
  /** Tasks of the reader's DAG that the resolver added and the reader must wait for. */
  readonly dependsOn: string[];
}

/**
 * How Kubeflow reads one kind of data source (`source.sourceKind`): it may add tasks to the
 * reader's DAG (an importer) and returns the reader's binding, or undefined after a problem.
 */
export interface KubeflowSourceResolver {
  resolve(compilation: KubeflowCompilation, step: Step, input: string, source: DataSource, level: Level): ResolvedInput | undefined;
}
